import { can } from '../features/auth/access.ts';
import { hasRole, type Actor } from '../features/auth/actor.ts';

export interface NavItem {
  href: string;
  text: string;
  active?: boolean;
  description?: string;
}
export interface NavGroup {
  heading: string;
  items: NavItem[];
}

/**
 * Every page the signed-in person may use, grouped the way the service reads: lone working,
 * safety, accountability, people and messages, administration. The menu page shows all of it;
 * the service navigation shows only the few each role uses most (see PRIMARY).
 */
export function menuFor(actor: Actor | null): NavGroup[] {
  if (!actor) return [];
  const staff = actor.staffId !== null;
  const manages = hasRole(
    actor,
    'team_manager',
    'service_manager',
    'assistant_director',
    'admin',
    'health_and_safety_officer',
  );
  const groups: NavGroup[] = [
    {
      heading: 'Lone working',
      items: [
        ...(staff || can(actor, 'people.view_all')
          ? [
              {
                href: '/teams',
                text: manages ? 'Teams' : 'My team',
                description: 'Who is where today, buddies and who has none',
              },
            ]
          : []),
        ...(staff
          ? [
              {
                href: '/visits',
                text: 'My visits',
                description: 'Plan visits, check in and out, finish the day safely',
              },
            ]
          : []),
        ...(hasRole(
          actor,
          'team_manager',
          'service_manager',
          'assistant_director',
          'business_support',
          'health_and_safety_officer',
          'admin',
        )
          ? [{ href: '/board', text: 'Live board', description: 'Sessions running now and overdue workers' }]
          : []),
        { href: '/alerts', text: 'Alerts', description: 'Missed check-ins and alarms you are responding to' },
        // Seed 001 Appendix B: one click from every page for whoever answers the office phone.
        ...(can(actor, 'purple_file.use') && staff
          ? [
              {
                href: '/purple-file',
                text: 'Purple File',
                description: 'The phone code: follow the script with a worker in danger',
              },
            ]
          : []),
        ...(staff
          ? [
              {
                href: '/emergency-pack',
                text: 'Emergency details',
                description: 'Your emergency contacts, car and medical details (confidential)',
              },
            ]
          : []),
        // Issue 19: training, and who is ready to work alone.
        ...(staff
          ? [
              {
                href: '/training',
                text: 'My training',
                description: 'The training you need for lone working and when it expires',
              },
            ]
          : []),
        ...(hasRole(
          actor,
          'team_manager',
          'service_manager',
          'assistant_director',
          'health_and_safety_officer',
          'admin',
        )
          ? [
              {
                href: '/readiness',
                text: 'Readiness',
                description: 'Who in your teams is ready to work alone, and why not; training import',
              },
            ]
          : []),
      ],
    },
    {
      heading: 'Incidents and safety',
      items: [
        ...(staff || can(actor, 'incidents.view_all')
          ? [{ href: '/incidents', text: 'Incidents', description: 'Report violence at work and follow it up' }]
          : []),
        ...(can(actor, 'risk.reviews.view')
          ? [{ href: '/risk/reviews', text: 'Risk', description: 'Risk assessments due for review and warning flags' }]
          : []),
        { href: '/lockdowns', text: 'Lockdowns', description: 'Building lockdowns and the all clear' },
        { href: '/buildings', text: 'Buildings', description: 'Buildings, key holders and incident response numbers' },
        {
          href: '/major-incident-contacts',
          text: 'Major incident contacts',
          description: 'Who to call in a major incident',
        },
      ],
    },
    {
      heading: 'Accountability',
      items: [
        ...(can(actor, 'complaints.view')
          ? [{ href: '/complaints', text: 'Complaints', description: 'Complaints about staff, stages and deadlines' }]
          : can(actor, 'complaints.statistics')
            ? [
                {
                  href: '/complaints/statistics',
                  text: 'Complaint statistics',
                  description: 'Yearly complaint figures',
                },
              ]
            : []),
        ...(can(actor, 'foi.manage')
          ? [{ href: '/foi', text: 'FOI', description: 'Freedom of information requests, deadlines and statistics' }]
          : []),
        ...(staff || can(actor, 'registers.view_all')
          ? [{ href: '/registers', text: 'Registers', description: 'Declarations of interest, gifts and hospitality' }]
          : []),
      ],
    },
    {
      heading: 'People and messages',
      items: [
        { href: '/people', text: 'People', description: 'Find a member of staff' },
        ...(staff ? [{ href: '/inbox', text: 'Inbox', description: 'Your alerts and messages' }] : []),
        ...(can(actor, 'outbox.view')
          ? [{ href: '/outbox', text: 'Outbox', description: 'Every message sent and how it was delivered' }]
          : []),
        {
          href: '/account/password',
          text: 'Your password',
          description: 'Change the password you sign in to Harbour with',
        },
        {
          href: '/account/two-factor',
          text: 'Second factor',
          description: 'Ask for a code from an authenticator app after your password',
        },
      ],
    },
    {
      heading: 'Administration',
      items: [
        ...(can(actor, 'organisation.manage')
          ? [
              {
                href: '/admin',
                text: 'Admin',
                description: 'Organisation, staff, accounts, imports and the audit trail',
              },
            ]
          : []),
        ...(can(actor, 'organisation.manage')
          ? [
              {
                href: '/training/courses',
                text: 'Training courses',
                description: 'The courses Harbour checks, who needs each and how long it stays current',
              },
            ]
          : []),
        ...(can(actor, 'retention.manage')
          ? [
              {
                href: '/admin/retention',
                text: 'Retention schedule',
                description: 'How long each kind of record is kept, what is due now, legal holds',
              },
            ]
          : []),
        ...(can(actor, 'subject_access.export')
          ? [
              {
                href: '/subject-access',
                text: 'Subject access export',
                description: 'Everything Harbour holds about a person, for a subject access request',
              },
            ]
          : []),
      ],
    },
  ];
  return groups.filter((g) => g.items.length > 0);
}

/** What each role reaches for most; everything else is one click further, under "More". */
const PRIMARY = new Set([
  '/teams',
  '/visits',
  '/board',
  '/alerts',
  '/purple-file',
  '/incidents',
  '/complaints',
  '/complaints/statistics',
  '/foi',
  '/inbox',
  '/admin',
]);

/** Service navigation for the signed-in person's roles: home, their main pages, then More. */
export function navigationFor(actor: Actor | null, path: string): NavItem[] {
  if (!actor) return [];
  const all = menuFor(actor).flatMap((g) => g.items);
  const primary = all.filter((i) => PRIMARY.has(i.href)).map(({ href, text }) => ({ href, text }));
  const inMore = all.some((i) => !PRIMARY.has(i.href) && isActive(i.href, path)) || path === '/menu';
  return [
    { href: '/', text: 'Home', active: path === '/' },
    ...primary.map((i) => ({ ...i, active: isActive(i.href, path) })),
    { href: '/menu', text: 'More', active: inMore },
  ];
}

function isActive(href: string, path: string): boolean {
  return path === href || path.startsWith(`${href}/`);
}
