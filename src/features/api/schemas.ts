/** JSON Schemas for the API: Fastify validates requests with them and @fastify/swagger publishes them. */
const nullableString = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9]{1,9}$' } },
  required: ['id'],
} as const;
export const searchQuery = {
  type: 'object',
  properties: { q: { type: 'string', maxLength: 100 } },
  additionalProperties: false,
} as const;
export const created = { type: 'object', properties: { id: { type: 'integer' } } } as const;

export const list = (item: object) => ({ type: 'object', properties: { items: { type: 'array', items: item } } });

export const directorate = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' } },
} as const;
export const service = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, directorateId: { type: 'integer' } },
} as const;
export const team = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    serviceId: { type: 'integer' },
    serviceName: { type: 'string' },
    managerId: nullableInt,
    managerName: nullableString,
    staffCount: { type: 'integer' },
    withoutBuddyCount: { type: 'integer' },
  },
} as const;
export const staff = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    employeeNumber: { type: 'string' },
    givenName: { type: 'string' },
    familyName: { type: 'string' },
    email: { type: 'string' },
    jobRole: { type: 'string' },
    teamId: nullableInt,
    teamName: nullableString,
    lineManagerId: nullableInt,
    buddyId: nullableInt,
    buddyName: nullableString,
    workMobile: nullableString,
    baseBuildingId: nullableInt,
    active: { type: 'boolean' },
  },
} as const;
export const teamDetail = {
  type: 'object',
  properties: {
    ...team.properties,
    members: { type: 'array', items: staff },
    withoutBuddy: { type: 'array', items: { type: 'integer' } },
  },
} as const;
export const building = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    address: { type: 'string' },
    postcode: { type: 'string' },
    sitePhone: nullableString,
    facilitiesHelpdeskPhone: nullableString,
    communitySafetyPhone: nullableString,
    buildingManagerId: nullableInt,
    buildingManagerName: nullableString,
  },
} as const;
export const contact = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    outOfHoursPhone: nullableString,
    workMobile: nullableString,
  },
} as const;
export const me = {
  type: 'object',
  properties: {
    accountId: { type: 'integer' },
    email: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    staffId: nullableInt,
    buddyId: nullableInt,
    buddyTo: { type: 'array', items: { type: 'integer' } },
    managementChain: { type: 'array', items: { type: 'integer' } },
  },
} as const;

export const staffBody = {
  type: 'object',
  required: ['employeeNumber', 'givenName', 'familyName', 'email', 'jobRole'],
  properties: {
    employeeNumber: { type: 'string' },
    givenName: { type: 'string' },
    familyName: { type: 'string' },
    email: { type: 'string' },
    jobRole: { type: 'string' },
    teamId: nullableInt,
    lineManagerId: nullableInt,
    workMobile: nullableString,
    personalMobile: nullableString,
    outOfHoursPhone: nullableString,
    baseBuildingId: nullableInt,
    active: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;
export const buddyBody = {
  type: 'object',
  required: ['buddyId'],
  properties: { buddyId: nullableInt },
  additionalProperties: false,
} as const;

/** The form schemas take strings, as a browser posts them; JSON numbers and nulls are mapped onto that. */
export function stringify(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    out[k] = v === null ? '' : typeof v === 'boolean' ? (v ? 'true' : '') : typeof v === 'number' ? String(v) : v;
  }
  if (!('active' in out)) out.active = 'true';
  return out;
}

export const teamView = (t: {
  id: number;
  name: string;
  service_id: number;
  service_name: string;
  manager_id: number | null;
  manager_name: string | null;
  staff_count: number;
  without_buddy_count: number;
}) => ({
  id: t.id,
  name: t.name,
  serviceId: t.service_id,
  serviceName: t.service_name,
  managerId: t.manager_id,
  managerName: t.manager_name,
  staffCount: t.staff_count,
  withoutBuddyCount: t.without_buddy_count,
});

export const buildingView = (b: {
  id: number;
  name: string;
  address: string;
  postcode: string;
  site_phone: string | null;
  facilities_helpdesk_phone: string | null;
  community_safety_phone: string | null;
  building_manager_id: number | null;
  building_manager_name: string | null;
}) => ({
  id: b.id,
  name: b.name,
  address: b.address,
  postcode: b.postcode,
  sitePhone: b.site_phone,
  facilitiesHelpdeskPhone: b.facilities_helpdesk_phone,
  communitySafetyPhone: b.community_safety_phone,
  buildingManagerId: b.building_manager_id,
  buildingManagerName: b.building_manager_name,
});
