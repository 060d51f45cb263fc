import { can } from '../features/auth/access.ts';
import { hasRole, type Actor } from '../features/auth/actor.ts';

export interface NavItem { href: string; text: string; active?: boolean }

/** Service navigation for the signed-in person's roles. */
export function navigationFor(actor: Actor | null, path: string): NavItem[] {
  if (!actor) return [];
  const items: NavItem[] = [{ href: '/', text: 'Home' }];
  if (actor.staffId !== null || can(actor, 'people.view_all')) {
    items.push({ href: '/teams', text: hasRole(actor, 'team_manager', 'service_manager', 'assistant_director', 'admin', 'health_and_safety_officer') ? 'Teams' : 'My team' });
  }
  if (actor.staffId !== null) items.push({ href: '/visits', text: 'My visits' });
  if (hasRole(actor, 'team_manager', 'service_manager', 'assistant_director', 'business_support', 'health_and_safety_officer', 'admin')) items.push({ href: '/board', text: 'Live board' });
  items.push({ href: '/alerts', text: 'Alerts' });
  if (actor.staffId !== null || can(actor, 'incidents.view_all')) items.push({ href: '/incidents', text: 'Incidents' });
  if (can(actor, 'risk.reviews.view')) items.push({ href: '/risk/reviews', text: 'Risk' });
  items.push({ href: '/people', text: 'People' });
  items.push({ href: '/buildings', text: 'Buildings' });
  items.push({ href: '/major-incident-contacts', text: 'Major incident contacts' });
  if (actor.staffId !== null || can(actor, 'registers.view_all')) items.push({ href: '/registers', text: 'Registers' });
  if (actor.staffId !== null) items.push({ href: '/inbox', text: 'Inbox' });
  if (can(actor, 'outbox.view')) items.push({ href: '/outbox', text: 'Outbox' });
  if (can(actor, 'organisation.manage')) items.push({ href: '/admin', text: 'Admin' });
  return items.map((i) => ({ ...i, active: i.href === '/' ? path === '/' : path === i.href || path.startsWith(`${i.href}/`) }));
}
