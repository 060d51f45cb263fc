/**
 * THE ACCESS MATRIX: every route × every role, each cell allowed or denied.
 *
 * Adding a route? Add one line to `matrix` below, naming the route exactly as registered
 * ("METHOD /pattern") and who may use it. The first test fails until every registered route has a
 * row, and the last fails unless every row's request really reached the route it names.
 *
 * Outcomes: allowed = 2xx (or a 303 that is not to /sign-in, for a form post). Denied = 303 to
 * /sign-in for anonymous pages and forms; 403 page for someone signed in; 401 JSON for the API
 * without a token; 403 JSON for a token whose owner may not. A denied request writes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { buildDirectorate, buildService, buildStaff, buildTeam } from '../helpers/factories.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { auditCount, demoIds, registeredRoutes, type DemoIds } from './support.ts';
import { actorFor, buildVisitForm, expireDeadline } from '../helpers/lone-working.ts';
import { addDays, londonToday } from '../../src/time/london.ts';
import { complaintsMatrixRows, prepareComplaintsMatrix } from '../helpers/complaints.ts';
import { foiMatrixRows, prepareFoiMatrix } from '../helpers/foi.ts';
import { prepareRetentionMatrix, retentionMatrixRows } from '../helpers/retention.ts';
import { prepareTrainingMatrix, trainingMatrixRows } from '../helpers/training.ts';

// ---- Who ----------------------------------------------------------------------------------------

const SIGNED_IN_ROLES = {
  worker: demo.worker, // Chloe Davies, Ashford Children in Care
  businessSupport: demo.businessSupport, // Emma Green, Ashford
  teamManager: demo.teamManager, // Aisha Khan, manages Ashford
  serviceManager: demo.serviceManager, // Helen Ward, over Ashford and Maidstone
  assistantDirector: demo.assistantDirector, // Priya Shah, above Helen
  healthAndSafety: demo.healthAndSafety, // Fiona Reid, no team
  complaints: demo.complaints, // Gareth Price, no team
  foi: demo.foi, // Irene Cole, no team
  admin: demo.admin,
} as const;
type SignedIn = keyof typeof SIGNED_IN_ROLES;
type Who = 'anonymous' | SignedIn;
const WHO: Who[] = ['anonymous', ...(Object.keys(SIGNED_IN_ROLES) as SignedIn[])];

const EVERYONE: readonly Who[] = WHO;
const SIGNED_IN: readonly Who[] = WHO.filter((w) => w !== 'anonymous');
const ADMIN: readonly Who[] = ['admin'];
/** Own team Ashford, or above it in the chain, or see-everything roles. */
const SEES_ASHFORD: readonly Who[] = [
  'worker',
  'businessSupport',
  'teamManager',
  'serviceManager',
  'assistantDirector',
  'healthAndSafety',
  'admin',
];
/** Responders to an alert about Chloe: everyone who sees Ashford except Chloe herself. */
const SEES_ASHFORD_NOT_CHLOE: readonly Who[] = SEES_ASHFORD.filter((w) => w !== 'worker');
/** Maidstone is in Helen's service, not Chloe's or Aisha's team. */
const SEES_MAIDSTONE: readonly Who[] = ['serviceManager', 'assistantDirector', 'healthAndSafety', 'admin'];
/** Swale Early Help is another service: only the see-everything roles. */
const SEES_SWALE: readonly Who[] = ['assistantDirector', 'healthAndSafety', 'admin'];
/** May plan and run Chloe's sessions: Chloe, her team's business support, her management chain, administrators. */
const ACTS_FOR_CHLOE: readonly Who[] = [
  'worker',
  'businessSupport',
  'teamManager',
  'serviceManager',
  'assistantDirector',
  'admin',
];
/** Team managers and above, health and safety, administrators: add warning flags, see risk assessments due for review. */
const RISK_MANAGERS: readonly Who[] = [
  'teamManager',
  'serviceManager',
  'assistantDirector',
  'healthAndSafety',
  'admin',
];
/** The people above someone in Ashford: team manager, service manager, assistant director; and administrators. */
const MANAGES_ASHFORD: readonly Who[] = ['teamManager', 'serviceManager', 'assistantDirector', 'admin'];
const MANAGES_MAIDSTONE: readonly Who[] = ['serviceManager', 'assistantDirector', 'admin'];
/** Swale is under another assistant director: seeing everyone does not make Priya their manager. */
const MANAGES_SWALE: readonly Who[] = ['admin'];
/** Chloe's management chain: Aisha, Helen, Priya (administrators are not in it). */
const CHLOE_CHAIN: readonly Who[] = ['teamManager', 'serviceManager', 'assistantDirector'];
const CHLOE_AND_CHAIN: readonly Who[] = ['worker', ...CHLOE_CHAIN];
/** Whoever answers the office phone: business support, managers (and duty officers, a role none of these has). */
const PURPLE_FILE: readonly Who[] = ['businessSupport', 'teamManager', 'serviceManager', 'assistantDirector'];
/** Major incidents: the Purple File people and health and safety. */
const MAJOR_INCIDENTS: readonly Who[] = [...PURPLE_FILE, 'healthAndSafety'];

/** Chloe's incidents: Chloe, her management chain (Aisha, Helen, Priya) and health and safety. Not complaints, not administrators. */
const INCIDENT_CHAIN: readonly Who[] = ['teamManager', 'serviceManager', 'assistantDirector'];
const INCIDENT_VIEWERS: readonly Who[] = ['worker', ...INCIDENT_CHAIN, 'healthAndSafety'];
/** Chloe's responders while an alert about her is open: her team's business support and her management chain (not administrators, not see-everyone roles). */
const CHLOE_RESPONDERS: readonly Who[] = ['businessSupport', 'teamManager', 'serviceManager', 'assistantDirector'];
/** May start a lockdown of a building where nobody is based: Emma and Aisha (its key holders), senior managers. Anyone checked in or based there may too (test/routes/lockdown.test.ts). */
const LOCKDOWN_STARTERS: readonly Who[] = ['businessSupport', 'teamManager', 'serviceManager', 'assistantDirector'];
/** The all clear of a lockdown Helen started at a building nobody is in: Helen (running it), Priya (a senior manager elsewhere, with a reason). Key holders who are not there may not. */
const LOCKDOWN_ENDERS: readonly Who[] = ['serviceManager', 'assistantDirector'];
/** Signed-in people who may not see the incident get the 404 page: they are not told it exists. */
const notFoundFor = (viewers: readonly Who[]): Partial<Record<Who, Expected>> =>
  Object.fromEntries(WHO.filter((w) => w !== 'anonymous' && !viewers.includes(w)).map((w) => [w, { status: 404 }]));

// ---- The table ----------------------------------------------------------------------------------

type Kind = 'page' | 'form' | 'upload' | 'api';
type Expected = 'allowed' | 'denied' | { status: number; location?: string };

interface Ctx {
  ids: DemoIds;
  made: {
    directorate: number;
    service: number;
    team: number;
    staff: number;
    staffEmployeeNumber: string;
    staffEmail: string;
    building: number;
    riskVisit: number;
  };
  /** Per role, Chloe's sessions and alerts in the state each lone-working action needs. */
  lw: Record<
    Who,
    {
      planned: number;
      cancel: number;
      running: number;
      ending: number;
      alert: string;
      safeAlert: string;
      resolveAlert: string;
      viewVisit: number;
    }
  >;
  revokeToken: Record<Who, number>;
  /** Chloe's declaration, and per role an interest on it and a gift entry of hers, each awaiting a decision. */
  reg: { declaration: number; byWho: Record<Who, { interest: number; gift: number; sign: number }> };
  /** Chloe's incidents: submitted, a draft of hers, and one Aisha reported for her awaiting her confirmation. */
  inc: { open: number; draft: number; awaiting: number };
  /** Incident follow-up (issue 5, part 2): an incident to close, and an investigation action on the open one. */
  incMore: { closable: number; action: number; flag: number };
  /** Lockdowns: a running one at the Civic Centre (everyone signed in is based there); per role a building to lock down and a running lockdown to end. */
  ld: { civic: number; byWho: Record<Who, { start: number; lockdown: number }> };
  /** Purple File: a call about Chloe that stays open; per role one to close; a major incident Emma declared. */
  pf: { call: number; close: Record<Who, number>; major: number; notCovered: number };
  /** A silent alarm Chloe raised: its subject gets the 404 its page gives for every action. */
  duressAlert: string;
  /** A warning flag per role to withdraw. */
  withdrawFlag: Record<Who, number>;
  /** Risk gate (issue 21): per role a planned visit of Chloe's to edit and one whose assessment to countersign; a joint visit with Aisha as partner. */
  gate: { byWho: Record<Who, { edit: number; countersign: number }>; joint: number };
  unique: () => string;
}

interface Row {
  route: string;
  kind: Kind;
  allow: readonly Who[];
  url?: (c: Ctx, who: Who) => string;
  body?: (c: Ctx, who: Who) => Record<string, unknown>;
  /** Cells that differ from plain allowed/denied. */
  expect?: Partial<Record<Who, Expected>>;
  /** Use a newly signed-in browser, because the request changes the session (sign-in, sign-out). */
  fresh?: boolean;
}

const page = (route: string, allow: readonly Who[], more: Partial<Row> = {}): Row => ({
  route,
  kind: 'page',
  allow,
  ...more,
});
const form = (route: string, allow: readonly Who[], body: Row['body'], more: Partial<Row> = {}): Row => ({
  route,
  kind: 'form',
  allow,
  body,
  ...more,
});
const api = (route: string, allow: readonly Who[], more: Partial<Row> = {}): Row => ({
  route,
  kind: 'api',
  allow,
  ...more,
});

const staffFields = (c: Ctx) => {
  const n = c.unique();
  return {
    employeeNumber: `M${n}`,
    givenName: 'Matrix',
    familyName: `Person ${n}`,
    email: `matrix.${n}@harbour.example`,
    jobRole: 'social_worker',
    teamId: String(c.ids.team.ashford),
    lineManagerId: '',
    workMobile: '',
    personalMobile: '',
    outOfHoursPhone: '',
    baseBuildingId: '',
    active: 'true',
  };
};
const buildingFields = (c: Ctx) => ({
  name: `Matrix House ${c.unique()}`,
  address: '1 High Street, Ashford',
  postcode: 'TN23 1AA',
  sitePhone: '01632 960 999',
  facilitiesHelpdeskPhone: '',
  communitySafetyPhone: '',
  buildingManagerId: '',
});
const importCsv = (c: Ctx) => {
  const n = c.unique();
  return (
    'employee_number,given_name,family_name,email,job_role,team,service,line_manager_employee_number,buddy_employee_number,work_mobile,personal_mobile,out_of_hours_phone,base_building,active\n' +
    `I${n},Imported,Person${n},imported.${n}@harbour.example,Social worker,Ashford Children in Care,Children in Care,,,,,,Civic Centre,yes\n`
  );
};

const matrix: Row[] = [
  // Public
  page('GET /health', EVERYONE),
  // The readable service status: for everyone, signed in or not (no names, no hosts).
  page('GET /status', EVERYONE),
  page('GET /api/docs', EVERYONE),
  // Help and the statutory pages: for everyone, signed in or not.
  page('GET /help', EVERYONE),
  page('GET /accessibility', EVERYONE),
  page('GET /privacy', EVERYONE),
  page('GET /assets/*', EVERYONE, { url: () => '/assets/images/favicon.svg' }),
  page('GET /public/*', EVERYONE, { url: () => '/public/app.css' }),
  page('GET /public/govuk/govuk-frontend.min.css', EVERYONE),
  page('GET /public/govuk/govuk-frontend.min.js', EVERYONE),
  page('GET /sign-in', EVERYONE, {
    expect: Object.fromEntries(SIGNED_IN.map((w) => [w, { status: 303, location: '/' }])),
  }),
  form(
    'POST /sign-in',
    EVERYONE,
    (_c, who) => ({ email: who === 'anonymous' ? demo.worker : SIGNED_IN_ROLES[who], password: DEMO_PASSWORD }),
    { fresh: true },
  ),
  form('POST /sign-out', SIGNED_IN, () => ({}), {
    fresh: true,
    expect: Object.fromEntries(SIGNED_IN.map((w) => [w, { status: 303, location: '/sign-in' }])),
  }),
  // Council sign-in (OpenID Connect) is off in this app, so both answer 404 to everyone; with it on: test/routes/oidc.test.ts.
  page('GET /sign-in/oidc', [], { expect: Object.fromEntries(WHO.map((w) => [w, { status: 404 }])) }),
  page('GET /sign-in/oidc/callback', [], { expect: Object.fromEntries(WHO.map((w) => [w, { status: 404 }])) }),

  // Everyone signed in
  page('GET /', SIGNED_IN),
  page('GET /people', SIGNED_IN),
  page('GET /teams', SIGNED_IN, { url: () => '/teams?all=1' }),
  page('GET /buildings', SIGNED_IN),
  page('GET /buildings/:id', SIGNED_IN, { url: (c) => `/buildings/${c.ids.building.gateway}` }),
  page('GET /major-incident-contacts', SIGNED_IN),
  page('GET /menu', SIGNED_IN),
  page('GET /account/tokens', SIGNED_IN),
  page('GET /account/password', SIGNED_IN),
  // A blank form is a 400 naming its fields for everyone signed in (a real change: test/routes/account-security.test.ts).
  form('POST /account/password', SIGNED_IN, () => ({ current: '', password: '', confirm: '' }), {
    expect: Object.fromEntries(SIGNED_IN.map((w) => [w, { status: 400 }])),
  }),
  // A second factor (issue 17): each person sets up their own; forms here fail validation (no code, no password).
  page('GET /account/two-factor', SIGNED_IN),
  form('POST /account/two-factor', SIGNED_IN, () => ({ code: '' }), {
    expect: Object.fromEntries(SIGNED_IN.map((w) => [w, { status: 400 }])),
  }),
  form('POST /account/two-factor/remove', SIGNED_IN, () => ({ password: '' }), {
    expect: Object.fromEntries(SIGNED_IN.map((w) => [w, { status: 400 }])),
  }),
  // The code after the password: without a pending sign-in everyone is sent back (test/routes/second-factor.test.ts has the rest).
  page('GET /sign-in/code', [], {
    expect: Object.fromEntries(WHO.map((w) => [w, { status: 303, location: w === 'anonymous' ? '/sign-in' : '/' }])),
  }),
  form('POST /sign-in/code', [], () => ({ code: '123456' }), {
    expect: Object.fromEntries(WHO.map((w) => [w, { status: 303, location: '/sign-in' }])),
  }),
  // A set-password link works only with its secret token: anything else is the 404 page, signed in or not.
  page('GET /set-password/:token', [], {
    url: () => '/set-password/matrix-no-such-link',
    expect: Object.fromEntries(WHO.map((w) => [w, { status: 404 }])),
  }),
  form(
    'POST /set-password/:token',
    [],
    () => ({ password: 'a-long-enough-password', confirm: 'a-long-enough-password' }),
    {
      url: () => '/set-password/matrix-no-such-link',
      expect: Object.fromEntries(WHO.map((w) => [w, { status: 404 }])),
    },
  ),
  form('POST /account/tokens', SIGNED_IN, () => ({ name: 'Matrix token', expiresInDays: '30' })),
  form('POST /account/tokens/:id/revoke', SIGNED_IN, () => ({}), {
    url: (c, who) => `/account/tokens/${c.revokeToken[who]}/revoke`,
  }),

  // Relationships: teams and people
  page('GET /teams/:id', SEES_ASHFORD, { url: (c) => `/teams/${c.ids.team.ashford}` }),
  page('GET /teams/:id', SEES_MAIDSTONE, { url: (c) => `/teams/${c.ids.team.maidstone}` }),
  page('GET /teams/:id', SEES_SWALE, { url: (c) => `/teams/${c.ids.team.swale}` }),
  page('GET /people/:id', SEES_ASHFORD, { url: (c) => `/people/${c.ids.person.ola}` }),
  page('GET /people/:id', SEES_MAIDSTONE, { url: (c) => `/people/${c.ids.person.nadia}` }),
  page('GET /people/:id', SEES_SWALE, { url: (c) => `/people/${c.ids.person.jamal}` }),
  form('POST /people/:id/buddy', MANAGES_ASHFORD, (c) => ({ buddyId: String(c.ids.person.dev) }), {
    url: (c) => `/people/${c.ids.person.ola}/buddy`,
  }),
  form('POST /people/:id/buddy', MANAGES_MAIDSTONE, (c) => ({ buddyId: String(c.ids.person.owen) }), {
    url: (c) => `/people/${c.ids.person.nadia}/buddy`,
  }),
  // Nobody allocates their own buddy, not even a team manager: Aisha's is for her own managers (and administrators).
  form(
    'POST /people/:id/buddy',
    ['serviceManager', 'assistantDirector', 'admin'],
    (c) => ({ buddyId: String(c.ids.person.ben) }),
    { url: (c) => `/people/${c.ids.person.aisha}/buddy` },
  ),
  form('POST /people/:id/buddy', MANAGES_SWALE, (c) => ({ buddyId: String(c.ids.person.katie) }), {
    url: (c) => `/people/${c.ids.person.jamal}/buddy`,
  }),

  // Administration
  page('GET /admin', ADMIN),
  page('GET /admin/directorates/new', ADMIN),
  form('POST /admin/directorates', ADMIN, (c) => ({ name: `Matrix directorate ${c.unique()}` })),
  page('GET /admin/directorates/:id/edit', ADMIN, { url: (c) => `/admin/directorates/${c.made.directorate}/edit` }),
  form('POST /admin/directorates/:id', ADMIN, (c) => ({ name: `Renamed directorate ${c.unique()}` }), {
    url: (c) => `/admin/directorates/${c.made.directorate}`,
  }),
  page('GET /admin/services/new', ADMIN),
  form('POST /admin/services', ADMIN, (c) => ({
    name: `Matrix service ${c.unique()}`,
    directorateId: String(c.ids.directorate),
  })),
  page('GET /admin/services/:id/edit', ADMIN, { url: (c) => `/admin/services/${c.made.service}/edit` }),
  form(
    'POST /admin/services/:id',
    ADMIN,
    (c) => ({ name: `Renamed service ${c.unique()}`, directorateId: String(c.ids.directorate) }),
    { url: (c) => `/admin/services/${c.made.service}` },
  ),
  page('GET /admin/teams/new', ADMIN),
  form('POST /admin/teams', ADMIN, (c) => ({
    name: `Matrix team ${c.unique()}`,
    serviceId: String(c.ids.service.childrenInCare),
    managerId: '',
  })),
  page('GET /admin/teams/:id/edit', ADMIN, { url: (c) => `/admin/teams/${c.made.team}/edit` }),
  form(
    'POST /admin/teams/:id',
    ADMIN,
    (c) => ({ name: `Renamed team ${c.unique()}`, serviceId: String(c.ids.service.childrenInCare), managerId: '' }),
    { url: (c) => `/admin/teams/${c.made.team}` },
  ),
  page('GET /admin/staff/new', ADMIN),
  form('POST /admin/staff', ADMIN, staffFields),
  page('GET /admin/staff/:id/edit', ADMIN, { url: (c) => `/admin/staff/${c.made.staff}/edit` }),
  form(
    'POST /admin/staff/:id',
    ADMIN,
    (c) => ({ ...staffFields(c), employeeNumber: c.made.staffEmployeeNumber, email: c.made.staffEmail }),
    { url: (c) => `/admin/staff/${c.made.staff}` },
  ),
  page('GET /admin/buildings/new', ADMIN),
  form('POST /admin/buildings', ADMIN, buildingFields),
  page('GET /admin/buildings/:id/edit', ADMIN, { url: (c) => `/admin/buildings/${c.made.building}/edit` }),
  form('POST /admin/buildings/:id', ADMIN, buildingFields, { url: (c) => `/admin/buildings/${c.made.building}` }),
  page('GET /admin/import', ADMIN),
  page('GET /admin/import/template.csv', ADMIN),
  { route: 'POST /admin/import', kind: 'upload', allow: ADMIN, body: (c) => ({ csv: importCsv(c) }) },
  page('GET /admin/accounts', ADMIN),
  page('GET /admin/accounts/new', ADMIN),
  form('POST /admin/accounts', ADMIN, (c) => ({
    email: `matrix.account.${c.unique()}@harbour.example`,
    displayName: 'Matrix Account',
    staffId: '',
    password: 'a-long-enough-password',
    roles: 'worker',
  })),
  page('GET /admin/accounts/:id/roles', ADMIN, {
    url: (c) => `/admin/accounts/${c.ids.account(demo.noBuddyWorker)}/roles`,
  }),
  form('POST /admin/accounts/:id/roles', ADMIN, () => ({ roles: 'worker' }), {
    url: (c) => `/admin/accounts/${c.ids.account(demo.noBuddyWorker)}/roles`,
  }),
  form('POST /admin/accounts/:id/password-link', ADMIN, () => ({}), {
    url: (c) => `/admin/accounts/${c.ids.account('ola.adeyemi@harbour.example')}/password-link`,
  }),
  form('POST /admin/accounts/:id/two-factor/reset', ADMIN, () => ({}), {
    url: (c) => `/admin/accounts/${c.ids.account('ola.adeyemi@harbour.example')}/two-factor/reset`,
  }),
  form('POST /admin/accounts/:id/disable', ADMIN, () => ({}), {
    url: (c) => `/admin/accounts/${c.ids.account('sophie.turner@harbour.example')}/disable`,
  }),
  form('POST /admin/accounts/:id/enable', ADMIN, () => ({}), {
    url: (c) => `/admin/accounts/${c.ids.account('sophie.turner@harbour.example')}/enable`,
  }),
  page('GET /admin/audit', ADMIN),

  // Notifications: everyone's own inbox and push registration; the outbox for those who watch deliveries.
  page('GET /inbox', SIGNED_IN),
  form('POST /inbox/:id/read', SIGNED_IN, () => ({}), { url: () => '/inbox/1/read' }),
  form('POST /inbox/read-all', SIGNED_IN, () => ({})),
  page('GET /outbox', ['businessSupport', 'healthAndSafety', 'admin']),
  page('GET /account/notifications', SIGNED_IN),
  page('GET /push/vapid-public-key', SIGNED_IN),
  form('POST /push/subscriptions', SIGNED_IN, (c) => ({
    endpoint: `https://push.example/send/${c.unique()}`,
    p256dh: `B${'x'.repeat(86)}`,
    auth: 'a'.repeat(22),
  })),
  form('POST /account/notifications/remove-devices', SIGNED_IN, () => ({})),

  // Calendar import: anyone with a staff record, into their own visits; subscriptions to their own feeds.
  page('GET /visits/import', SIGNED_IN),
  { route: 'POST /visits/import', kind: 'upload', allow: SIGNED_IN, body: (c) => ({ csv: calendarFile(c.unique()) }) },
  // No preview of theirs to confirm: anyone signed in gets the "upload the file again" page (400).
  form('POST /visits/import/confirm', SIGNED_IN, () => ({ previewId: 'matrix-no-such-preview', events: '0' }), {
    expect: Object.fromEntries(SIGNED_IN.map((w) => [w, { status: 400 }])),
  }),
  page('GET /visits/calendar-subscriptions', SIGNED_IN),
  form('POST /visits/calendar-subscriptions', SIGNED_IN, (c) => ({
    url: `https://calendar.example.org/${c.unique()}/calendar.ics`,
  })),
  // Not their subscription: 404 for anyone signed in (removing one's own: test/routes/calendar.test.ts).
  form('POST /visits/calendar-subscriptions/:id/remove', SIGNED_IN, () => ({}), {
    url: () => '/visits/calendar-subscriptions/999999/remove',
    expect: Object.fromEntries(SIGNED_IN.map((w) => [w, { status: 404 }])),
  }),

  // API: every token owner may read the organisation; relationships limit teams and people.
  api('GET /api/v1/me', SIGNED_IN),
  api('GET /api/v1/directorates', SIGNED_IN),
  api('GET /api/v1/services', SIGNED_IN),
  api('GET /api/v1/teams', SIGNED_IN),
  api('GET /api/v1/teams/:id', SEES_ASHFORD, { url: (c) => `/api/v1/teams/${c.ids.team.ashford}` }),
  api('GET /api/v1/teams/:id', SEES_SWALE, { url: (c) => `/api/v1/teams/${c.ids.team.swale}` }),
  api('GET /api/v1/staff', SIGNED_IN),
  api('GET /api/v1/staff/:id', SEES_ASHFORD, { url: (c) => `/api/v1/staff/${c.ids.person.ola}` }),
  api('GET /api/v1/staff/:id', SEES_SWALE, { url: (c) => `/api/v1/staff/${c.ids.person.jamal}` }),
  api('POST /api/v1/staff', ADMIN, {
    body: (c) => {
      const n = c.unique();
      return {
        employeeNumber: `A${n}`,
        givenName: 'Api',
        familyName: `Person${n}`,
        email: `api.${n}@harbour.example`,
        jobRole: 'social_worker',
        teamId: c.ids.team.ashford,
      };
    },
  }),
  api('PUT /api/v1/staff/:id/buddy', MANAGES_ASHFORD, {
    url: (c) => `/api/v1/staff/${c.ids.person.ola}/buddy`,
    body: (c) => ({ buddyId: c.ids.person.chloe }),
  }),
  api('PUT /api/v1/staff/:id/buddy', MANAGES_SWALE, {
    url: (c) => `/api/v1/staff/${c.ids.person.jamal}/buddy`,
    body: (c) => ({ buddyId: c.ids.person.katie }),
  }),
  api('GET /api/v1/buildings', SIGNED_IN),
  api('GET /api/v1/buildings/:id', SIGNED_IN, { url: (c) => `/api/v1/buildings/${c.ids.building.civic}` }),
  api('GET /api/v1/major-incident-contacts', SIGNED_IN),

  // Lone working: sessions, alerts, the live board and escalation routes.
  api('POST /api/v1/visits/:id/check-ins', ACTS_FOR_CHLOE, {
    url: (c, who) => `/api/v1/visits/${c.lw[who].running}/check-ins`,
    body: () => ({ lat: 51.14, lng: 0.87 }),
  }),
  page('GET /visits', SIGNED_IN),
  page('GET /visits/new', SIGNED_IN),
  page('GET /visits/history', SIGNED_IN),
  form('POST /visits', SIGNED_IN, () => ({ ...visitFields() })),
  page('GET /visits/:id', SEES_ASHFORD, { url: (c, who) => `/visits/${c.lw[who].viewVisit}` }),
  form('POST /visits/:id/arrive', ACTS_FOR_CHLOE, () => ({}), {
    url: (c, who) => `/visits/${c.lw[who].planned}/arrive`,
  }),
  form('POST /visits/:id/cancel', ACTS_FOR_CHLOE, () => ({}), {
    url: (c, who) => `/visits/${c.lw[who].cancel}/cancel`,
  }),
  form('POST /visits/:id/extend', ACTS_FOR_CHLOE, () => ({ minutes: '30' }), {
    url: (c, who) => `/visits/${c.lw[who].running}/extend`,
  }),
  form('POST /visits/:id/end', ACTS_FOR_CHLOE, () => ({}), { url: (c, who) => `/visits/${c.lw[who].ending}/end` }),
  // Refused (400, with the reason) while a session of hers runs or an alarm about her is open: Chloe has both here.
  form('POST /day/finish', SIGNED_IN, () => ({}), { expect: { worker: { status: 400 } } }),
  page('GET /alerts', SIGNED_IN),
  page('GET /alerts/:id', SEES_ASHFORD, { url: (c, who) => `/alerts/${c.lw[who].alert}` }),
  // The worker an alert is about never answers it for the responders (403; for a silent alarm, 404: test/routes/alarms.test.ts).
  form('POST /alerts/:id/acknowledge', SEES_ASHFORD_NOT_CHLOE, () => ({}), {
    url: (c, who) => `/alerts/${c.lw[who].alert}/acknowledge`,
  }),
  form('POST /alerts/:id/escalate', SEES_ASHFORD_NOT_CHLOE, () => ({}), {
    url: (c, who) => `/alerts/${c.lw[who].alert}/escalate`,
  }),
  form('POST /alerts/:id/safe', SEES_ASHFORD_NOT_CHLOE, () => ({}), {
    url: (c, who) => `/alerts/${c.lw[who].safeAlert}/safe`,
  }),
  form('POST /alerts/:id/resolve', SEES_ASHFORD_NOT_CHLOE, () => ({ outcome: 'false_alarm', notes: 'Matrix' }), {
    url: (c, who) => `/alerts/${c.lw[who].resolveAlert}/resolve`,
  }),
  page('GET /board', SIGNED_IN),
  page('GET /board/events', SIGNED_IN, { url: () => '/board/events?once=1' }),
  // A silent alarm: Chloe, its subject, gets the same 404 as its page for every action (the rest: test/routes/alarms.test.ts).
  form('POST /alerts/:id/acknowledge', SEES_ASHFORD_NOT_CHLOE, () => ({}), {
    url: (c) => `/alerts/${c.duressAlert}/acknowledge`,
    expect: { worker: { status: 404 } },
  }),
  form('POST /alerts/:id/escalate', SEES_ASHFORD_NOT_CHLOE, () => ({}), {
    url: (c) => `/alerts/${c.duressAlert}/escalate`,
    expect: { worker: { status: 404 } },
  }),
  page('GET /alerts/:id', SEES_ASHFORD_NOT_CHLOE, {
    url: (c) => `/alerts/${c.duressAlert}`,
    expect: { worker: { status: 404 } },
  }),
  // The alarm bar's live stream: everyone signed in gets their own bar (empty when nobody they cover has an alarm).
  page('GET /live/events', SIGNED_IN, { url: () => '/live/events?once=1' }),

  // Covert duress (issue 4): one's own PINs; the disguised control only for the worker on her own session; the Purple File
  // screen for business support, managers and duty staff; major incidents declared by them (and health and safety).
  page('GET /account/pin', SIGNED_IN),
  form('POST /account/pin', SIGNED_IN, () => ({ duressPin: '9111', checkoutPin: '' })),
  form('POST /account/pin/remove', SIGNED_IN, () => ({})),
  form('POST /visits/:id/request-file', ['worker'], () => ({}), {
    url: (c, who) => `/visits/${c.lw[who].running}/request-file`,
  }),
  page('GET /purple-file', PURPLE_FILE),
  form('POST /purple-file', PURPLE_FILE, (c) => ({ workerId: String(c.ids.person.chloe) })),
  page('GET /purple-file/:id', PURPLE_FILE, { url: (c) => `/purple-file/${c.pf.call}` }),
  form('POST /purple-file/:id/answers', PURPLE_FILE, () => ({ question: 'at_address', answer: 'yes' }), {
    url: (c) => `/purple-file/${c.pf.call}/answers`,
  }),
  form('POST /purple-file/:id/callback', PURPLE_FILE, () => ({}), { url: (c) => `/purple-file/${c.pf.call}/callback` }),
  form('POST /purple-file/:id/callback/cancel', PURPLE_FILE, () => ({}), {
    url: (c) => `/purple-file/${c.pf.call}/callback/cancel`,
  }),
  // Break-glass needs the call's responder (Emma) or Chloe's buddy, managers or team business support; others are refused.
  form(
    'POST /purple-file/:id/pack',
    ['businessSupport', 'teamManager', 'serviceManager', 'assistantDirector'],
    () => ({ reason: 'Matrix police pack' }),
    { url: (c) => `/purple-file/${c.pf.call}/pack` },
  ),
  form('POST /purple-file/:id/notify', PURPLE_FILE, () => ({}), { url: (c) => `/purple-file/${c.pf.call}/notify` }),
  form('POST /purple-file/:id/close', PURPLE_FILE, () => ({ outcome: 'false_alarm' }), {
    url: (c, who) => `/purple-file/${c.pf.close[who]}/close`,
  }),
  // The break-glass rule (issue 14): only about a worker one covers (buddy, management line, team business support, duty officer).
  // Nobody here covers Jamal: every Purple File action about him is refused (403), however senior.
  form('POST /purple-file', [], (c) => ({ workerId: String(c.ids.person.jamal) })),
  page('GET /purple-file/:id', [], { url: (c) => `/purple-file/${c.pf.notCovered}` }),
  form('POST /purple-file/:id/answers', [], () => ({ question: 'at_address', answer: 'yes' }), {
    url: (c) => `/purple-file/${c.pf.notCovered}/answers`,
  }),
  form('POST /purple-file/:id/callback', [], () => ({}), { url: (c) => `/purple-file/${c.pf.notCovered}/callback` }),
  form('POST /purple-file/:id/callback/cancel', [], () => ({}), {
    url: (c) => `/purple-file/${c.pf.notCovered}/callback/cancel`,
  }),
  form('POST /purple-file/:id/pack', [], () => ({ reason: 'Matrix: the police asked' }), {
    url: (c) => `/purple-file/${c.pf.notCovered}/pack`,
  }),
  form('POST /purple-file/:id/notify', [], () => ({}), { url: (c) => `/purple-file/${c.pf.notCovered}/notify` }),
  form('POST /purple-file/:id/close', [], () => ({ outcome: 'false_alarm' }), {
    url: (c) => `/purple-file/${c.pf.notCovered}/close`,
  }),
  page('GET /major-incidents', MAJOR_INCIDENTS),
  page('GET /major-incidents/new', MAJOR_INCIDENTS),
  form('POST /major-incidents', MAJOR_INCIDENTS, () => ({ category: 'lost_person', summary: 'Matrix' })),
  page('GET /major-incidents/:id', MAJOR_INCIDENTS, { url: (c) => `/major-incidents/${c.pf.major}` }),
  page('GET /admin/teams/:id/escalation', ADMIN, { url: (c) => `/admin/teams/${c.ids.team.ashford}/escalation` }),
  form(
    'POST /admin/teams/:id/escalation',
    ADMIN,
    () => ({ kind: 'overdue', 'steps-0-label': 'Buddy', 'steps-0-targets': 'buddy', 'steps-0-delayMinutes': '0' }),
    { url: (c) => `/admin/teams/${c.ids.team.maidstone}/escalation` },
  ),

  // Risk gate (Appendix E): the visit's risk page and its forms; warning flags; assessments due for review.
  page('GET /visits/:id/risk', SEES_ASHFORD, { url: (c) => `/visits/${c.made.riskVisit}/risk` }),
  form(
    'POST /visits/:id/risk/assessment',
    ACTS_FOR_CHLOE,
    () => ({
      scope: 'case',
      hazards: 'Matrix hazards',
      whoHarmed: 'Matrix worker',
      controls: 'Matrix controls',
      findings: 'Matrix findings',
      ...reviewDateFields(),
    }),
    { url: (c) => `/visits/${c.made.riskVisit}/risk/assessment` },
  ),
  form(
    'POST /visits/:id/risk/control',
    ['teamManager', 'serviceManager', 'assistantDirector'],
    () => ({ control: 'manager_approval', approvalNote: 'Matrix approval' }),
    { url: (c) => `/visits/${c.made.riskVisit}/risk/control` },
  ),
  form('POST /visits/:id/risk/countersign', CHLOE_CHAIN, () => ({}), {
    url: (c, who) => `/visits/${c.gate.byWho[who].countersign}/risk/countersign`,
  }),
  // Changing a planned visit: whoever may plan Chloe's sessions. Confirming a joint visit: only its partner (Aisha).
  page('GET /visits/:id/edit', ACTS_FOR_CHLOE, { url: (c, who) => `/visits/${c.gate.byWho[who].edit}/edit` }),
  form('POST /visits/:id/edit', ACTS_FOR_CHLOE, () => ({ ...visitFields(), caseId: 'MATRIX-EDITED' }), {
    url: (c, who) => `/visits/${c.gate.byWho[who].edit}/edit`,
  }),
  form('POST /visits/:id/joint/confirm', ['teamManager'], () => ({}), {
    url: (c) => `/visits/${c.gate.joint}/joint/confirm`,
  }),
  form('POST /visits/:id/risk/precautions', ACTS_FOR_CHLOE, () => ({ 'status-buddy_informed': 'confirmed' }), {
    url: (c) => `/visits/${c.made.riskVisit}/risk/precautions`,
  }),
  page('GET /risk/flags', SIGNED_IN),
  form('POST /risk/flags', RISK_MANAGERS, (c) => ({
    postcode: 'ME14 1XX',
    category: 'dogs',
    description: `Matrix dog ${c.unique()}`,
  })),
  page('GET /risk/flags/:id/withdraw', RISK_MANAGERS, { url: (c) => `/risk/flags/${c.withdrawFlag.worker}/withdraw` }),
  form('POST /risk/flags/:id/withdraw', RISK_MANAGERS, () => ({ reason: 'Matrix: raised in error' }), {
    url: (c, who) => `/risk/flags/${c.withdrawFlag[who]}/withdraw`,
  }),
  page('GET /risk/reviews', RISK_MANAGERS),

  // Incidents (HS157): visible only to the people involved, their management chain and health and safety. Anyone else is
  // not told the report exists (404). Drafts are the reporter's alone; the employee confirms; the chain responds.
  page('GET /incidents', SIGNED_IN),
  page('GET /incidents/new', SIGNED_IN),
  form('POST /incidents', SIGNED_IN, () => ({ action: 'draft', location: 'Matrix draft' })),
  page('GET /incidents/:id', INCIDENT_VIEWERS, {
    url: (c) => `/incidents/${c.inc.open}`,
    expect: notFoundFor(INCIDENT_VIEWERS),
  }),
  form('POST /incidents/:id', ['worker'], () => ({ action: 'draft', location: 'Matrix draft, edited' }), {
    url: (c) => `/incidents/${c.inc.draft}`,
    expect: notFoundFor(['worker']),
  }),
  form('POST /incidents/:id/confirm', ['worker'], () => ({}), {
    url: (c) => `/incidents/${c.inc.awaiting}/confirm`,
    expect: notFoundFor(INCIDENT_VIEWERS),
  }),
  form('POST /incidents/:id/response', INCIDENT_CHAIN, () => ({ notes: 'Matrix response' }), {
    url: (c) => `/incidents/${c.inc.open}/response`,
    expect: notFoundFor(INCIDENT_VIEWERS),
  }),
  // Incident follow-up: police (the employee too), RIDDOR, serious, flags, legal actions, the HS160 investigation and closing
  // (the chain and health and safety); monitoring, export and historic import (health and safety only).
  form('POST /incidents/:id/police', INCIDENT_VIEWERS, () => ({ policeReported: 'yes', crimeReference: 'MATRIX/1' }), {
    url: (c) => `/incidents/${c.inc.open}/police`,
    expect: notFoundFor(INCIDENT_VIEWERS),
  }),
  form(
    'POST /incidents/:id/riddor',
    [...INCIDENT_CHAIN, 'healthAndSafety'],
    () => ({ specifiedInjury: 'no', riddorDaysOff: '0' }),
    { url: (c) => `/incidents/${c.inc.open}/riddor`, expect: notFoundFor(INCIDENT_VIEWERS) },
  ),
  form('POST /incidents/:id/serious', [...INCIDENT_CHAIN, 'healthAndSafety'], () => ({ serious: 'marked' }), {
    url: (c) => `/incidents/${c.inc.open}/serious`,
    expect: notFoundFor(INCIDENT_VIEWERS),
  }),
  form('POST /incidents/:id/flags', [...INCIDENT_CHAIN, 'healthAndSafety'], () => incidentFlagFields(), {
    url: (c) => `/incidents/${c.inc.open}/flags`,
    expect: notFoundFor(INCIDENT_VIEWERS),
  }),
  form(
    'POST /incidents/:id/flags/renew',
    [...INCIDENT_CHAIN, 'healthAndSafety'],
    (c) => ({ renewFlagId: String(c.incMore.flag), ...dayFields('renewReview', addDays(londonToday(), 60)) }),
    { url: (c) => `/incidents/${c.inc.open}/flags/renew`, expect: notFoundFor(INCIDENT_VIEWERS) },
  ),
  form(
    'POST /incidents/:id/legal-actions',
    [...INCIDENT_CHAIN, 'healthAndSafety'],
    () => ({ legalKind: 'warning_letter', ...dayFields('legalOn', londonToday()) }),
    { url: (c) => `/incidents/${c.inc.open}/legal-actions`, expect: notFoundFor(INCIDENT_VIEWERS) },
  ),
  page('GET /incidents/:id/investigation', [...INCIDENT_CHAIN, 'healthAndSafety'], {
    url: (c) => `/incidents/${c.inc.open}/investigation`,
    expect: notFoundFor(INCIDENT_VIEWERS),
  }),
  form(
    'POST /incidents/:id/investigation',
    [...INCIDENT_CHAIN, 'healthAndSafety'],
    () => ({ statements: 'Matrix statements' }),
    { url: (c) => `/incidents/${c.inc.open}/investigation`, expect: notFoundFor(INCIDENT_VIEWERS) },
  ),
  form(
    'POST /incidents/:id/actions',
    [...INCIDENT_CHAIN, 'healthAndSafety'],
    (c) => ({
      actionDescription: 'Matrix action',
      actionOwnerId: String(c.ids.person.aisha),
      ...dayFields('actionDue', addDays(londonToday(), 7)),
    }),
    { url: (c) => `/incidents/${c.inc.open}/actions`, expect: notFoundFor(INCIDENT_VIEWERS) },
  ),
  form('POST /incidents/:id/actions/:actionId/done', [...INCIDENT_CHAIN, 'healthAndSafety'], () => ({}), {
    url: (c) => `/incidents/${c.inc.open}/actions/${c.incMore.action}/done`,
    expect: notFoundFor(INCIDENT_VIEWERS),
  }),
  form('POST /incidents/:id/close', [...INCIDENT_CHAIN, 'healthAndSafety'], () => ({}), {
    url: (c) => `/incidents/${c.incMore.closable}/close`,
    expect: notFoundFor(INCIDENT_VIEWERS),
  }),
  page('GET /incidents/dashboard', ['healthAndSafety']),
  page('GET /incidents/dashboard.csv', ['healthAndSafety']),
  page('GET /incidents/dashboard.ods', ['healthAndSafety']),
  // An import's progress page: only its uploader and administrators (test/routes/incidents-follow-up.test.ts); anyone else is told it does not exist.
  page('GET /imports/:id', [], { url: () => '/imports/999999', expect: notFoundFor([]) }),
  page('GET /incidents/import', ['healthAndSafety']),
  page('GET /incidents/import/template.csv', ['healthAndSafety']),
  {
    route: 'POST /incidents/import',
    kind: 'upload',
    allow: ['healthAndSafety'],
    body: (c) => ({
      csv: `reference,occurred_date,employee_number,location,categories,narrative\nMATRIX-${c.unique()},2024-01-05,${c.made.staffEmployeeNumber},Matrix Road,threats,Matrix history\n`,
    }),
  },

  // Registers (seed 002): one's own declarations and entries; the management chain sees and decides on theirs; suppliers and
  // politically restricted posts are for the registers team (a role none of these has).
  page('GET /registers', SIGNED_IN),
  page('GET /registers/declarations/new', SIGNED_IN),
  // One declaration a year: Chloe made hers for this year in the set-up, so hers is refused (400).
  form('POST /registers/declarations', SIGNED_IN, () => ({ declaration: 'none' }), {
    expect: { worker: { status: 400 } },
  }),
  page('GET /registers/declarations/:id', CHLOE_AND_CHAIN, {
    url: (c) => `/registers/declarations/${c.reg.declaration}`,
  }),
  form(
    'POST /registers/declarations/:id/interests',
    ['worker'],
    (c) => ({ kind: 'financial', description: `Matrix interest ${c.unique()}` }),
    { url: (c) => `/registers/declarations/${c.reg.declaration}/interests` },
  ),
  form(
    'POST /registers/declarations/:id/interests/:interestId/sign-off',
    CHLOE_CHAIN,
    () => ({ action: 'Matrix action' }),
    { url: (c, who) => `/registers/declarations/${c.reg.declaration}/interests/${c.reg.byWho[who].interest}/sign-off` },
  ),
  // Appendix 1: Chloe's chain signs her declarations (per role, a nil one of an earlier year).
  form('POST /registers/declarations/:id/sign', CHLOE_CHAIN, () => ({ confirm: 'yes' }), {
    url: (c, who) => `/registers/declarations/${c.reg.byWho[who].sign}/sign`,
  }),
  page('GET /registers/gifts/new', SIGNED_IN),
  form('POST /registers/gifts', SIGNED_IN, (c) => ({
    kind: 'gift',
    'offeredOn-day': '2',
    'offeredOn-month': '2',
    'offeredOn-year': '2026',
    description: `Matrix gift ${c.unique()}`,
    offeredBy: 'Matrix',
    giverType: 'organisation',
    value: '5',
    response: 'refused',
    reason: 'Matrix',
  })),
  page('GET /registers/gifts/:id', CHLOE_AND_CHAIN, { url: (c) => `/registers/gifts/${c.reg.byWho.worker.gift}` }),
  form('POST /registers/gifts/:id/decision', CHLOE_CHAIN, () => ({ decision: 'approved' }), {
    url: (c, who) => `/registers/gifts/${c.reg.byWho[who].gift}/decision`,
  }),
  page('GET /registers/suppliers', []),
  form('POST /registers/suppliers', [], (c) => ({ name: `Matrix supplier ${c.unique()}` })),
  form('POST /registers/political-restriction', [], (c) => ({ staffId: String(c.ids.person.ola), restricted: 'yes' })),
  page('GET /registers/reports', SIGNED_IN),
  page('GET /registers/reports/interests.csv', SIGNED_IN),
  page('GET /registers/reports/gifts.csv', SIGNED_IN),
  page('GET /registers/reports/interests.ods', SIGNED_IN),
  page('GET /registers/reports/gifts.ods', SIGNED_IN),
  // Off by default (REGISTERS_PUBLISH=false): not found for everyone. With it on: test/routes/registers.test.ts.
  page('GET /registers/published', [], { expect: Object.fromEntries(WHO.map((w) => [w, { status: 404 }])) }),

  // Emergency details (Appendix A): one's own; break-glass by Chloe's responders while an alert about her is open (she is sent to her own page).
  page('GET /emergency-pack', SIGNED_IN),
  form('POST /emergency-pack', SIGNED_IN, () => ({
    name: 'Matrix Person',
    contact1Name: 'Matrix Contact',
    contact1Mobile: '07700 900 999',
    preferredContact: '1',
  })),
  page('GET /emergency-pack/team', SIGNED_IN),
  page('GET /emergency-packs/:id', CHLOE_RESPONDERS, {
    url: (c) => `/emergency-packs/${c.ids.person.chloe}`,
    expect: { worker: { status: 303, location: '/emergency-pack' } },
  }),
  form(
    'POST /emergency-packs/:id/break-glass',
    ['worker', ...CHLOE_RESPONDERS],
    (c, who) => ({ reason: 'Matrix responder', alertId: String(c.lw[who].alert) }),
    { url: (c) => `/emergency-packs/${c.ids.person.chloe}/break-glass` },
  ),
  // Building lockdown (§5, Appendix K): everyone sees and acknowledges; building managers, key holders and senior managers start and end.
  page('GET /lockdowns', SIGNED_IN),
  page('GET /lockdowns/new', SIGNED_IN),
  form('POST /lockdowns', LOCKDOWN_STARTERS, (c, who) => ({
    buildingId: String(c.ld.byWho[who].start),
    location: 'outside',
  })),
  page('GET /lockdowns/:id', SIGNED_IN, { url: (c) => `/lockdowns/${c.ld.civic}` }),
  form('POST /lockdowns/:id/acknowledge', SIGNED_IN, () => ({}), {
    url: (c) => `/lockdowns/${c.ld.civic}/acknowledge`,
  }),
  form(
    'POST /lockdowns/:id/all-clear',
    LOCKDOWN_ENDERS,
    () => ({ policeAttended: 'no', reason: 'Matrix: ended from elsewhere' }),
    { url: (c, who) => `/lockdowns/${c.ld.byWho[who].lockdown}/all-clear` },
  ),
  // Complaints about staff (issue 6): only the complaints team and senior managers see them; only the complaints team records;
  // the FOI officer sees the statistics (no names). Health and safety, administrators, managers below service manager: never.
  ...complaintsMatrixRows<Who, Row>({
    page,
    form,
    upload: (route, allow, body, more = {}) => ({ route, kind: 'upload', allow, body, ...more }),
  }),
  // The offline-first app's service worker.
  page('GET /sw.js', EVERYONE),
  // FOI (issue 7): requests, statistics and draft responses for the FOI team only; the disclosure log is public.
  ...foiMatrixRows<Who, Row>({ page, form, api, everyone: EVERYONE, team: ['foi'] }),
  // Retention schedule and subject access (issue 20): administrators and the information governance officer (Irene); exports by her alone.
  ...retentionMatrixRows<Who, Row>({ page, form }),
  // Training and readiness (issue 19): readiness for managers, health and safety and administrators; a person's training recorded by their managers; courses by administrators.
  ...trainingMatrixRows<Who, Row>({
    page,
    form,
    upload: (route, allow, body, more = {}) => ({ route, kind: 'upload', allow, body, ...more }),
    signedIn: SIGNED_IN,
  }),
];
/** A complete incident report for the services (threats, two days ago). */
/** Date boxes for a yyyy-mm-dd day. */
function dayFields(prefix: string, iso: string): Record<string, string> {
  const [y, m, d] = iso.split('-');
  return { [`${prefix}-day`]: String(Number(d)), [`${prefix}-month`]: String(Number(m)), [`${prefix}-year`]: y! };
}
const incidentFlagFields = () => ({
  flagSubject: 'address',
  flagPostcode: 'ME14 9ZZ',
  flagCategory: 'violence',
  flagReason: 'Matrix flag',
  ...dayFields('flagReview', addDays(londonToday(), 30)),
});

function incidentFields(o: Record<string, string> = {}): Record<string, string> {
  const at = new Date(Date.now() - 2 * 86_400_000);
  const [y, m, d] = at.toISOString().slice(0, 10).split('-');
  return {
    'occurred-day': d!,
    'occurred-month': m!,
    'occurred-year': y!,
    'occurred-time': '10:00',
    location: 'Matrix Road, Ashford',
    loneWorking: 'yes',
    categories: 'threats',
    perpetratorType: 'public',
    injured: 'no',
    narrative: 'Matrix incident',
    ...o,
  };
}

/** A review date 60 days ahead, as the three date boxes. */
function reviewDateFields(): Record<string, string> {
  const [y, m, d] = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10).split('-');
  return { 'reviewDate-day': d!, 'reviewDate-month': m!, 'reviewDate-year': y! };
}

/** A valid plan-a-visit form post for the signed-in person (no workerId: for themselves). */
function visitFields(): Record<string, string> {
  const f = buildVisitForm();
  return Object.fromEntries(
    Object.entries(f)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, String(v)]),
  );
}

/** An iCalendar file with one event tomorrow at 10:00 UK time, inside the import window. */
function calendarFile(uid: string): string {
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Harbour tests//EN',
    'BEGIN:VEVENT',
    `UID:matrix-${uid}`,
    'DTSTAMP:20260101T000000Z',
    `DTSTART;TZID=Europe/London:${day}T100000`,
    `DTEND;TZID=Europe/London:${day}T110000`,
    'SUMMARY:Matrix visit',
    'LOCATION:1 High Street\\, Ashford TN23 1AA',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** Row labels show their example URL; these stand-in ids are only for the label. */
const PREVIEW: Ctx = {
  ids: new Proxy({}, { get: () => new Proxy(() => ':id', { get: (_t, k) => `:${String(k)}` }) }) as unknown as DemoIds,
  made: new Proxy({}, { get: () => ':id' }) as unknown as Ctx['made'],
  revokeToken: new Proxy({}, { get: () => ':id' }) as unknown as Ctx['revokeToken'],
  lw: new Proxy({}, { get: () => new Proxy({}, { get: () => ':id' }) }) as unknown as Ctx['lw'],
  reg: {
    declaration: ':id',
    byWho: new Proxy({}, { get: () => ({ interest: ':interestId', gift: ':id', sign: ':id' }) }),
  } as unknown as Ctx['reg'],
  inc: new Proxy({}, { get: () => ':id' }) as unknown as Ctx['inc'],
  incMore: new Proxy({}, { get: () => ':id' }) as unknown as Ctx['incMore'],
  ld: {
    civic: ':id',
    byWho: new Proxy({}, { get: () => ({ start: ':id', lockdown: ':id' }) }),
  } as unknown as Ctx['ld'],
  pf: {
    call: ':id',
    close: new Proxy({}, { get: () => ':id' }),
    major: ':id',
    notCovered: ':id',
  } as unknown as Ctx['pf'],
  duressAlert: ':id',
  withdrawFlag: new Proxy({}, { get: () => ':id' }) as unknown as Ctx['withdrawFlag'],
  gate: {
    byWho: new Proxy({}, { get: () => ({ edit: ':id', countersign: ':id' }) }),
    joint: ':id',
  } as unknown as Ctx['gate'],
  unique: () => 'x',
};

// ---- Running it ---------------------------------------------------------------------------------

const methodOf = (row: Row) => row.route.split(' ')[0]!;
const pathOf = (row: Row) => row.route.split(' ')[1]!;

function describeResponse(res: LightMyRequestResponse): string {
  const location = res.headers.location ? ` → ${String(res.headers.location)}` : '';
  return `${res.statusCode}${location}`;
}

/** Returns null if the response is what the cell expects, or what went wrong. */
function check(row: Row, who: Who, expected: Expected, res: LightMyRequestResponse): string | null {
  const got = describeResponse(res);
  const location = String(res.headers.location ?? '');
  const fail = (want: string) => `${who}: expected ${want}, got ${got}`;
  if (typeof expected === 'object') {
    if (res.statusCode !== expected.status)
      return fail(`${expected.status}${expected.location ? ` → ${expected.location}` : ''}`);
    if (expected.location !== undefined && location !== expected.location)
      return fail(`${expected.status} → ${expected.location}`);
    return null;
  }
  if (expected === 'allowed') {
    if (res.statusCode >= 200 && res.statusCode < 300) {
      if (
        row.kind === 'api' &&
        res.statusCode !== 204 &&
        !String(res.headers['content-type']).includes('application/json')
      )
        return fail('a JSON body');
      return null;
    }
    if (row.kind !== 'page' && row.kind !== 'api' && res.statusCode === 303 && !location.startsWith('/sign-in'))
      return null;
    return fail(row.kind === 'page' || row.kind === 'api' ? '2xx' : '2xx or 303 (not to /sign-in)');
  }
  // Denied.
  if (row.kind === 'api') {
    const want = who === 'anonymous' ? 401 : 403;
    if (res.statusCode !== want) return fail(`${want}`);
    const body = res.json() as { message?: unknown };
    if (typeof body.message !== 'string' || !body.message) return fail(`${want} with a JSON message`);
    return null;
  }
  if (who === 'anonymous') {
    return res.statusCode === 303 && /^\/sign-in(\?|$)/.test(location) ? null : fail('303 → /sign-in');
  }
  if (res.statusCode !== 403) return fail('403');
  if (!res.body.includes('You cannot see this page')) return fail('the 403 page');
  return null;
}

describe('access matrix', () => {
  let t: TestApp;
  let ctx: Ctx;
  const agents = new Map<Who, Agent>();
  const csrf = new Map<Who, string>();
  const apiTokens = new Map<Who, string>();
  /** "METHOD /pattern" of every route a matrix request reached. */
  const reached = new Set<string>();
  let counter = 0;

  before(async () => {
    t = await startTestApp({
      // No escalation engine or dispatcher runs here, so messages made while the matrix is set up
      // wait for ever; /health would answer 503 once setup took longer than the default 30 s limit
      // (a loaded machine). Its 503 is tested in test/routes/health.test.ts.
      app: { monitoring: { engineLagLimitSeconds: 24 * 3600, metricsToken: null } },
      beforeReady: (app) => {
        app.addHook('onResponse', async (request) => {
          if (request.method !== 'HEAD' && request.routeOptions.url)
            reached.add(`${request.method} ${request.routeOptions.url}`);
        });
      },
    });
    const ids = await demoIds(t.repos.db);
    await prepareComplaintsMatrix(t.repos.db, t.services);
    await prepareFoiMatrix(t.repos.db, t.services);
    await prepareRetentionMatrix(t.repos.db, t.services);
    await prepareTrainingMatrix(t.repos.db);
    const directorate = await buildDirectorate(t.repos.db);
    const service = await buildService(t.repos.db, { directorate_id: ids.directorate });
    const team = await buildTeam(t.repos.db, { service_id: ids.service.childrenInCare });
    const staff = await buildStaff(t.repos.db, { team_id: ids.team.ashford });
    const building = await t.repos.db
      .insertInto('buildings')
      .values({ name: 'Matrix Annexe', address: '2 High Street, Ashford', postcode: 'TN23 1AB' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const revokeToken = {} as Record<Who, number>;
    for (const who of WHO) {
      const email = who === 'anonymous' ? demo.admin : SIGNED_IN_ROLES[who];
      revokeToken[who] = (
        await t.services.auth.createApiToken(null, ids.account(email), `revoke me (${who})`, null)
      ).id;
    }
    ctx = {
      ids,
      revokeToken,
      unique: () => `${Date.now().toString(36)}${++counter}`,
      made: {
        directorate: directorate.id,
        service: service.id,
        team: team.id,
        staff: staff.id,
        staffEmployeeNumber: staff.employee_number,
        staffEmail: staff.email,
        building: building.id,
        riskVisit: 0,
      },
      lw: {} as Ctx['lw'],
      inc: { open: 0, draft: 0, awaiting: 0 },
      incMore: { closable: 0, action: 0, flag: 0 },
      reg: { declaration: 0, byWho: {} as Ctx['reg']['byWho'] },
      ld: { civic: 0, byWho: {} as Ctx['ld']['byWho'] },
      pf: { call: 0, close: {} as Ctx['pf']['close'], major: 0, notCovered: 0 },
      duressAlert: '',
      withdrawFlag: {} as Ctx['withdrawFlag'],
      gate: { byWho: {} as Ctx['gate']['byWho'], joint: 0 },
    };
    // Chloe's sessions in every state the lone-working rows need, one set per role.
    const chloe = await actorFor(t.repos.db, demo.worker);
    ctx.reg.declaration = await t.services.registers.declare(chloe, { interest: null });
    for (const who of WHO) {
      await t.services.registers.addInterest(chloe, ctx.reg.declaration, {
        kind: 'non_financial',
        description: `Matrix interest for ${who}`,
        consentNeeded: false,
        consentReference: null,
      });
      const interests = await t.repos.registers.interests(ctx.reg.declaration);
      const gift = await t.services.registers.recordGift(chloe, {
        kind: 'gift',
        offeredOn: '2026-02-02',
        description: `Matrix gift for ${who}`,
        offeredBy: 'Matrix',
        supplierId: null,
        valuePence: 500,
        response: 'refused',
        refusalLetter: null,
        authorisedInAdvance: false,
        reason: 'Matrix',
      });
      const sign = (
        await t.repos.db
          .insertInto('interest_declarations')
          .values({
            staff_id: chloe.staffId!,
            year: 1990 + WHO.indexOf(who),
            no_conflict: true,
            declared_by: chloe.accountId,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      ctx.reg.byWho[who] = { interest: interests.at(-1)!.id, gift, sign };
    }
    ctx.inc.open = await t.services.incidents.save(chloe, null, incidentFields(), 'submit');
    ctx.inc.draft = await t.services.incidents.save(chloe, null, { location: 'Matrix draft' }, 'draft');
    ctx.inc.awaiting = await t.services.incidents.save(
      await actorFor(t.repos.db, demo.teamManager),
      null,
      incidentFields({ employeeId: String(chloe.staffId) }),
      'submit',
    );
    ctx.incMore.closable = await t.services.incidents.save(
      chloe,
      null,
      incidentFields({ categories: 'council_property_damage' }),
      'submit',
    );
    ctx.incMore.action = await t.services.incidents.addAction(
      await actorFor(t.repos.db, demo.teamManager),
      ctx.inc.open,
      { description: 'Matrix action', ownerId: ids.person.aisha, dueOn: addDays(londonToday(), 7) },
    );
    ctx.incMore.flag = await t.services.incidents.raiseFlag(
      await actorFor(t.repos.db, demo.teamManager),
      ctx.inc.open,
      {
        subject: 'address',
        caseSystem: null,
        caseId: null,
        postcode: 'ME14 9ZY',
        category: 'violence',
        reason: 'Matrix flag to renew',
        reviewOn: addDays(londonToday(), 30),
      },
    );
    // Lockdowns: one running at the Civic Centre; per role, a building of which Aisha and Emma are key holders to lock down, and one locked down to end.
    const helenActor = await actorFor(t.repos.db, demo.serviceManager);
    const emmaId = (await actorFor(t.repos.db, demo.businessSupport)).staffId!;
    ctx.ld.civic = await t.services.lockdown.start(helenActor, {
      buildingId: ids.building.civic,
      location: 'outside',
      details: null,
    });
    for (const who of WHO) {
      const [start, locked] = await Promise.all(
        ['start', 'end'].map(async (k) => {
          const b = await t.repos.db
            .insertInto('buildings')
            .values({ name: `Matrix lockdown ${k} ${who}`, address: '3 High Street, Ashford', postcode: 'TN23 1AC' })
            .returning('id')
            .executeTakeFirstOrThrow();
          await t.repos.db
            .insertInto('building_key_holders')
            .values([
              { building_id: b.id, staff_id: ids.person.aisha },
              { building_id: b.id, staff_id: emmaId },
            ])
            .execute();
          return b.id;
        }),
      );
      ctx.ld.byWho[who] = {
        start: start!,
        lockdown: await t.services.lockdown.start(helenActor, {
          buildingId: locked!,
          location: 'inside',
          details: null,
        }),
      };
    }
    // Purple File calls about Chloe taken by Emma (business support): one stays open, one per role to close; a major incident.
    const emma = await actorFor(t.repos.db, demo.businessSupport);
    ctx.pf.call = await t.services.duress.startCall(emma, ids.person.chloe);
    for (const who of WHO) ctx.pf.close[who] = await t.services.duress.startCall(emma, ids.person.chloe);
    // A call about Jamal (Swale Early Help) taken by his team manager: nobody in this matrix covers him.
    ctx.pf.notCovered = await t.services.duress.startCall(
      await actorFor(t.repos.db, 'grace.lee@harbour.example'),
      ids.person.jamal,
    );
    const fiona = await actorFor(t.repos.db, demo.healthAndSafety);
    for (const who of WHO)
      ctx.withdrawFlag[who] = await t.services.risk.addFlag(fiona, {
        caseSystem: null,
        caseId: null,
        postcode: 'ME14 7ZZ',
        category: 'dogs',
        description: `Matrix flag to withdraw (${who})`,
        expiresOn: null,
      });
    ctx.pf.major = await t.services.duress.declareMajorIncident(emma, {
      category: 'excessive_vandalism',
      summary: 'Matrix',
      alertId: null,
      callId: null,
      lockdownId: null,
    });
    // A RED visit of Chloe's that stays planned, for the risk gate rows (recording never starts it).
    ctx.made.riskVisit = await t.services.visits.plan(
      chloe,
      buildVisitForm({ referralType: 'self_referral', caseId: 'MATRIX-RISK', postcode: 'TN23 9ZZ' }),
    );
    // Issue 21: visits to edit and assessments to countersign, per role; a joint visit with Aisha (a field worker in Chloe's team) to confirm.
    for (const who of WHO) {
      const countersign = await t.services.visits.plan(
        chloe,
        buildVisitForm({ referralType: 'self_referral', caseId: `MATRIX-SIGN-${who}` }),
      );
      await t.services.risk.recordAssessment(chloe, countersign, {
        scope: 'visit',
        hazards: 'h',
        whoHarmed: 'w',
        controls: 'c',
        findings: 'f',
        documentRef: null,
        reviewDate: addDays(londonToday(), 30),
      });
      ctx.gate.byWho[who] = {
        edit: await t.services.visits.plan(chloe, buildVisitForm({ caseId: `MATRIX-EDIT-${who}` })),
        countersign,
      };
    }
    ctx.gate.joint = await t.services.visits.plan(
      chloe,
      buildVisitForm({ referralType: 'self_referral', jointPartnerId: ids.person.aisha }),
    );
    const overdueAlert = async () => {
      const id = await t.services.visits.plan(chloe, buildVisitForm());
      await t.services.visits.arrive(chloe, id);
      await expireDeadline(t.repos.db, id);
      await t.services.engine.tick();
      const a = await t.repos.db.selectFrom('alerts').select('id').where('visit_id', '=', id).executeTakeFirstOrThrow();
      return a.id;
    };
    for (const who of WHO) {
      const planned = await t.services.visits.plan(chloe, buildVisitForm());
      const cancel = await t.services.visits.plan(chloe, buildVisitForm());
      const running = await t.services.visits.plan(chloe, buildVisitForm());
      await t.services.visits.arrive(chloe, running);
      const ending = await t.services.visits.plan(chloe, buildVisitForm());
      await t.services.visits.arrive(chloe, ending);
      ctx.lw[who] = {
        planned,
        cancel,
        running,
        ending,
        viewVisit: running,
        alert: await overdueAlert(),
        safeAlert: await overdueAlert(),
        resolveAlert: await overdueAlert(),
      };
    }
    const duressVisit = await t.services.visits.plan(chloe, buildVisitForm());
    await t.services.visits.arrive(chloe, duressVisit);
    ctx.duressAlert = await t.services.duress.raise(chloe, {
      workerId: chloe.staffId!,
      visitId: duressVisit,
      via: 'control',
      location: null,
    });
    await t.services.engine.tick();
    const anonymous = t.agent();
    agents.set('anonymous', anonymous);
    csrf.set('anonymous', await anonymous.csrf('/sign-in'));
    await Promise.all(
      (Object.keys(SIGNED_IN_ROLES) as SignedIn[]).map(async (who) => {
        const agent = await t.signIn(SIGNED_IN_ROLES[who]);
        agents.set(who, agent);
        csrf.set(who, await agent.csrf('/'));
        apiTokens.set(
          who,
          (await t.services.auth.createApiToken(null, ids.account(SIGNED_IN_ROLES[who]), 'access matrix', null)).token,
        );
      }),
    );
  });
  after(() => t.close());

  test('every registered route has a row in the matrix, and every row names a registered route', () => {
    const registered = registeredRoutes(t.app);
    assert.ok(
      registered.includes('PUT /api/v1/staff/:id/buddy') && registered.includes('GET /assets/*'),
      `route listing looks wrong: ${registered.join(', ')}`,
    );
    const inTable = new Set(matrix.map((r) => r.route));
    const missing = registered.filter((r) => !inTable.has(r));
    assert.deepEqual(
      missing,
      [],
      `These routes are registered but missing from the access matrix in test/routes/access.test.ts. Add a row for each, saying who may use it:\n  ${missing.join('\n  ')}`,
    );
    const stale = [...inTable].filter((r) => !registered.includes(r));
    assert.deepEqual(stale, [], `These matrix rows name routes the app does not register:\n  ${stale.join('\n  ')}`);
  });

  async function send(row: Row, who: Who): Promise<LightMyRequestResponse> {
    const url = row.url ? row.url(ctx, who) : pathOf(row);
    const body = row.body ? row.body(ctx, who) : undefined;
    if (row.kind === 'api') {
      const token = apiTokens.get(who);
      return t.app.inject({
        method: methodOf(row) as 'GET',
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body ? { payload: body } : {}),
      });
    }
    let agent = agents.get(who)!;
    let token = csrf.get(who)!;
    if (row.fresh) {
      agent = who === 'anonymous' ? t.agent() : await t.signIn(SIGNED_IN_ROLES[who]);
      token = await agent.csrf(who === 'anonymous' ? '/sign-in' : '/');
    }
    if (row.kind === 'page') return agent.get(url);
    if (row.kind === 'upload') return agent.upload(url, token, 'staff.csv', String(body?.csv ?? ''));
    return agent.post(url, { _csrf: token, ...(body as Record<string, string>) });
  }

  for (const row of matrix) {
    const label = row.url ? `${row.route} (${row.url(PREVIEW, 'anonymous')})` : row.route;
    test(label, async () => {
      const problems: string[] = [];
      for (const who of WHO) {
        const expected: Expected = row.expect?.[who] ?? (row.allow.includes(who) ? 'allowed' : 'denied');
        const auditBefore = expected === 'denied' ? await auditCount(t.repos.db) : 0;
        const res = await send(row, who);
        const problem = check(row, who, expected, res);
        if (problem) problems.push(problem);
        else if (expected === 'denied' && (await auditCount(t.repos.db)) !== auditBefore)
          problems.push(`${who}: denied, but the request wrote to the audit trail`);
      }
      assert.deepEqual(problems, [], `${row.route}:\n  ${problems.join('\n  ')}`);
    });
  }

  test('every row reached the route it names', () => {
    const unreached = [...new Set(matrix.map((r) => r.route))].filter((r) => !reached.has(r));
    assert.deepEqual(
      unreached,
      [],
      `No matrix request reached these routes (check the row's url):\n  ${unreached.join('\n  ')}`,
    );
  });

  describe('relationship rules', () => {
    test('a worker visiting /teams goes straight to their own team', async () => {
      const res = await agents.get('worker')!.get('/teams');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `/teams/${ctx.ids.team.ashford}`);
    });

    test('a team manager sees their own team but gets 403 on another service’s team', async () => {
      const aisha = agents.get('teamManager')!;
      assert.equal((await aisha.get(`/teams/${ctx.ids.team.ashford}`)).statusCode, 200);
      assert.equal((await aisha.get(`/teams/${ctx.ids.team.swale}`)).statusCode, 403);
    });

    test('only the person’s managers see the allocate-buddy form', async () => {
      const chloeView = await agents.get('worker')!.get(`/people/${ctx.ids.person.ola}`);
      assert.equal(chloeView.statusCode, 200);
      assert.ok(
        !chloeView.body.includes(`action="/people/${ctx.ids.person.ola}/buddy"`),
        'a worker must not be offered the buddy form',
      );
      const aishaView = await agents.get('teamManager')!.get(`/people/${ctx.ids.person.ola}`);
      assert.ok(
        aishaView.body.includes(`action="/people/${ctx.ids.person.ola}/buddy"`),
        'the team manager should be offered the buddy form',
      );
    });

    test('a worker cannot allocate a buddy; their team manager can; the service manager can for teams below them', async () => {
      const { ola, ben, dev, nadia, owen } = ctx.ids.person;
      const buddyOf = async (id: number) =>
        (await t.repos.db.selectFrom('staff').select('buddy_id').where('id', '=', id).executeTakeFirstOrThrow())
          .buddy_id;

      const denied = await agents
        .get('worker')!
        .post(`/people/${ola}/buddy`, { _csrf: csrf.get('worker')!, buddyId: String(ben) });
      assert.equal(denied.statusCode, 403);
      assert.notEqual(await buddyOf(ola), ben);

      const byManager = await agents
        .get('teamManager')!
        .post(`/people/${ola}/buddy`, { _csrf: csrf.get('teamManager')!, buddyId: String(ben) });
      assert.equal(byManager.statusCode, 303);
      assert.equal(byManager.headers.location, `/people/${ola}?done=buddy`);
      assert.equal(await buddyOf(ola), ben);

      const byServiceManager = await agents
        .get('serviceManager')!
        .post(`/people/${nadia}/buddy`, { _csrf: csrf.get('serviceManager')!, buddyId: String(owen) });
      assert.equal(byServiceManager.statusCode, 303);
      assert.equal(await buddyOf(nadia), owen);

      const otherTeam = await agents
        .get('teamManager')!
        .post(`/people/${nadia}/buddy`, { _csrf: csrf.get('teamManager')!, buddyId: String(dev) });
      assert.equal(otherTeam.statusCode, 403, 'Aisha does not manage Maidstone');
    });

    test('a personal mobile is hidden from a same-team worker but shown to the person’s manager', async () => {
      const { ola } = ctx.ids.person;
      const { personal_mobile: mobile } = await t.repos.db
        .selectFrom('staff')
        .select('personal_mobile')
        .where('id', '=', ola)
        .executeTakeFirstOrThrow();
      assert.ok(mobile, 'demo data gives Ola a personal mobile');
      const asWorker = await agents.get('worker')!.get(`/people/${ola}`);
      assert.equal(asWorker.statusCode, 200);
      assert.ok(!asWorker.body.includes(mobile), 'a team mate must not see the personal mobile');
      assert.ok(asWorker.body.includes('Only the person and their managers can see this'));
      for (const who of ['teamManager', 'serviceManager'] as const) {
        const res = await agents.get(who)!.get(`/people/${ola}`);
        assert.ok(res.body.includes(mobile), `${who} should see Ola's personal mobile`);
      }
      const asHealthAndSafety = await agents.get('healthAndSafety')!.get(`/people/${ola}`);
      assert.ok(!asHealthAndSafety.body.includes(mobile), 'seeing everyone is not managing them');
      // An administrator is not her manager: not on her page, only on the form that edits it, and that opening is audited.
      const asAdmin = await agents.get('admin')!.get(`/people/${ola}`);
      assert.ok(!asAdmin.body.includes(mobile), 'an administrator does not see it on the person page');
      const views = async () =>
        (
          await t.repos.db
            .selectFrom('audit_log')
            .select('id')
            .where('action', '=', 'staff.view_personal_mobile')
            .where('entity_id', '=', String(ola))
            .execute()
        ).length;
      const before = await views();
      const edit = await agents.get('admin')!.get(`/admin/staff/${ola}/edit`);
      assert.equal(edit.statusCode, 200);
      assert.ok(edit.body.includes(mobile), 'the edit form holds it, so it can be changed');
      assert.equal(await views(), before + 1, 'each opening of the edit form with a personal mobile is audited');
    });

    test('the API never includes a personal mobile', async () => {
      const res = await t.app.inject({
        url: `/api/v1/staff/${ctx.ids.person.ola}`,
        headers: { authorization: `Bearer ${apiTokens.get('admin')}` },
      });
      assert.equal(res.statusCode, 200);
      assert.ok(!('personalMobile' in (res.json() as object)));
    });
  });
});
