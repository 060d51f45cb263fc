/**
 * The JSON API: bearer tokens, JSON answers, 4xx JSON with a message for every kind of bad input
 * (never a 5xx), and the OpenAPI document at /api/docs covering every /api/v1 route.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { demoIds, registeredRoutes, type DemoIds } from './support.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';

describe('API', () => {
  let t: TestApp;
  let ids: DemoIds;
  let adminToken: string;
  let managerToken: string;
  let workerToken: string;

  const call = (token: string | null, options: InjectOptions) =>
    t.app.inject({
      ...options,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
    });
  const tokenFor = async (email: string, expiresAt: Date | null = null) =>
    (await t.services.auth.createApiToken(null, ids.account(email), 'api test', expiresAt)).token;

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    [adminToken, managerToken, workerToken] = await Promise.all([
      tokenFor(demo.admin),
      tokenFor(demo.teamManager),
      tokenFor(demo.worker),
    ]);
  });
  after(() => t.close());

  /** A 4xx JSON answer with a message, never a 5xx or an HTML page. */
  function assertClientError(res: LightMyRequestResponse, status?: number) {
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `expected 4xx, got ${res.statusCode}: ${res.body}`);
    if (status) assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /application\/json/);
    const body = res.json() as { message?: unknown };
    assert.equal(typeof body.message, 'string');
    assert.ok((body.message as string).length > 0);
    return body as { message: string; errors?: { field: string; message: string }[] };
  }

  describe('tokens', () => {
    test('a token made with services.auth.createApiToken reads every GET route as JSON', async () => {
      const urls = [
        '/api/v1/me',
        '/api/v1/directorates',
        '/api/v1/services',
        '/api/v1/teams',
        `/api/v1/teams/${ids.team.ashford}`,
        '/api/v1/staff',
        '/api/v1/staff?q=ola',
        `/api/v1/staff/${ids.person.ola}`,
        '/api/v1/buildings',
        `/api/v1/buildings/${ids.building.civic}`,
        '/api/v1/major-incident-contacts',
      ];
      for (const url of urls) {
        const res = await call(managerToken, { url });
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
        assert.match(String(res.headers['content-type']), /application\/json/, url);
        assert.doesNotThrow(() => res.json(), url);
      }
      const me = (await call(managerToken, { url: '/api/v1/me' })).json() as {
        email: string;
        roles: string[];
        staffId: number;
        managementChain: number[];
      };
      assert.equal(me.email, demo.teamManager);
      assert.deepEqual([...me.roles].sort(), ['team_manager', 'worker']);
      assert.equal(me.staffId, ids.person.aisha);
      assert.equal(me.managementChain[0], ids.person.helen);
      const found = (await call(managerToken, { url: '/api/v1/staff?q=ola' })).json() as { items: { id: number }[] };
      assert.deepEqual(
        found.items.map((i) => i.id),
        [ids.person.ola],
      );
    });

    test('a token made on the API tokens page works, and stops working when revoked there', async () => {
      const agent = await t.signIn(demo.worker);
      const created = await agent.submit('/account/tokens', '/account/tokens', {
        name: 'Case system',
        expiresInDays: '30',
      });
      assert.equal(created.statusCode, 200);
      const token = /<code id="new-token">([^<]+)<\/code>/.exec(created.body)?.[1];
      assert.ok(token, 'the new token is shown once');
      const me = await call(token, { url: '/api/v1/me' });
      assert.equal(me.statusCode, 200);
      assert.equal((me.json() as { email: string }).email, demo.worker);

      const page = await agent.get('/account/tokens');
      assert.ok(!page.body.includes(token), 'the token is not shown again');
      const id = /action="\/account\/tokens\/(\d+)\/revoke"/.exec(page.body)?.[1];
      assert.ok(id);
      const revoked = await agent.submit('/account/tokens', `/account/tokens/${id}/revoke`, {});
      assert.equal(revoked.statusCode, 303);
      const after = await call(token, { url: '/api/v1/me' });
      const body = assertClientError(after, 401);
      assert.match(body.message, /token/i);
    });

    test('someone cannot revoke another person’s token', async () => {
      const { id } = await t.services.auth.createApiToken(null, ids.account(demo.admin), 'not yours', null);
      const agent = await t.signIn(demo.worker);
      const res = await agent.submit('/account/tokens', `/account/tokens/${id}/revoke`, {});
      assert.equal(res.statusCode, 404);
      const row = await t.repos.db
        .selectFrom('api_tokens')
        .select('revoked_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.revoked_at, null);
    });

    test('no token, or a malformed header, is 401 with a reason', async () => {
      for (const authorization of [
        undefined,
        '',
        'Bearer',
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        `bearer ${adminToken}`,
        'Bearer hbr_not-a-real-token',
        `Bearer ${adminToken}x`,
      ]) {
        const res = await t.app.inject({
          url: '/api/v1/staff',
          headers: authorization === undefined ? {} : { authorization },
        });
        const body = assertClientError(res, 401);
        assert.match(body.message, /Authorization: Bearer/, `header ${JSON.stringify(authorization)}`);
        assert.equal(res.headers['www-authenticate'], 'Bearer');
      }
    });

    test('a revoked token is 401', async () => {
      const { id, token } = await t.services.auth.createApiToken(null, ids.account(demo.worker), 'to revoke', null);
      assert.equal((await call(token, { url: '/api/v1/me' })).statusCode, 200);
      const actor = (await t.services.auth.resolveApiToken(token, null))!;
      await t.services.auth.revokeToken(actor, id);
      assertClientError(await call(token, { url: '/api/v1/me' }), 401);
    });

    test('an expired token is 401', async () => {
      const expired = await tokenFor(demo.worker, new Date(Date.now() - 1000));
      assertClientError(await call(expired, { url: '/api/v1/me' }), 401);
      const live = await tokenFor(demo.worker, new Date(Date.now() + 3600_000));
      assert.equal((await call(live, { url: '/api/v1/me' })).statusCode, 200);
    });

    test('a token of a disabled account is 401', async () => {
      const email = 'leaver@harbour.example';
      const accountId = await t.services.auth.createAccount(null, {
        email,
        displayName: 'Leaver',
        password: null,
        roles: ['worker'],
        staffId: null,
      });
      const { token } = await t.services.auth.createApiToken(null, accountId, 'leaver', null);
      assert.equal((await call(token, { url: '/api/v1/me' })).statusCode, 200);
      await t.repos.db.updateTable('accounts').set({ disabled_at: new Date() }).where('id', '=', accountId).execute();
      assertClientError(await call(token, { url: '/api/v1/me' }), 401);
    });

    test('a session cookie does not authenticate the API', async () => {
      const agent = await t.signIn(demo.admin);
      assertClientError(await agent.get('/api/v1/me'), 401);
    });

    test('without a token, bad input is still 401, not a validation answer', async () => {
      for (const options of [
        { method: 'POST', url: '/api/v1/staff', payload: {} },
        { method: 'PUT', url: '/api/v1/staff/abc/buddy', payload: { buddyId: 'x' } },
        { method: 'GET', url: '/api/v1/teams/abc' },
        { method: 'GET', url: '/api/v1/staff?unknown=1' },
      ] as InjectOptions[]) {
        assertClientError(await call(null, options), 401);
      }
    });
  });

  describe('bad input is a 4xx JSON answer with a message, never a 5xx', () => {
    const valid = () => {
      const n = Math.random().toString(36).slice(2, 8);
      return {
        employeeNumber: `B${n}`,
        givenName: 'Bad',
        familyName: 'Input',
        email: `bad.${n}@harbour.example`,
        jobRole: 'social_worker',
      };
    };

    test('a valid POST /api/v1/staff creates the person (the baseline for the bad cases)', async () => {
      const body = { ...valid(), teamId: ids.team.ashford, active: true, workMobile: '07700 900 555' };
      const res = await call(adminToken, { method: 'POST', url: '/api/v1/staff', payload: body });
      assert.equal(res.statusCode, 201, res.body);
      const { id } = res.json() as { id: number };
      const got = (await call(adminToken, { url: `/api/v1/staff/${id}` })).json() as Record<string, unknown>;
      assert.equal(got.employeeNumber, body.employeeNumber);
      assert.equal(got.teamId, ids.team.ashford);
      assert.equal(got.active, true);
    });

    const staffCases: [string, unknown][] = [
      ['an empty body', {}],
      ['missing fields', { employeeNumber: 'B1', givenName: 'Only' }],
      ['an array', [1, 2]],
      ['wrong types: team id as text', { ...valid(), teamId: 'Ashford' }],
      ['wrong types: fractional id', { ...valid(), teamId: 1.5 }],
      ['wrong types: active as text', { ...valid(), active: 'maybe' }],
      ['wrong types: name as an object', { ...valid(), givenName: { first: 'A' } }],
      ['an unknown property', { ...valid(), isAdmin: true }],
      ['an invalid email', { ...valid(), email: 'not-an-email' }],
      ['an unknown job role', { ...valid(), jobRole: 'wizard' }],
      ['an empty name', { ...valid(), givenName: '   ' }],
      ['a bad phone number', { ...valid(), workMobile: '12' }],
      ['a negative id', { ...valid(), teamId: -1 }],
      ['a team that does not exist', { ...valid(), teamId: 999999 }],
      ['a line manager who does not exist', { ...valid(), lineManagerId: 999999 }],
      ['a building that does not exist', { ...valid(), baseBuildingId: 999999 }],
      ['an id too big for the database', { ...valid(), teamId: 2147483648 }],
      ['a NUL character in a name', { ...valid(), givenName: 'Nul\u0000Name' }],
      ['a duplicate employee number', { ...valid(), employeeNumber: 'E1001' }],
      ['a duplicate email', { ...valid(), email: demo.worker }],
    ];
    for (const [what, payload] of staffCases) {
      test(`POST /api/v1/staff with ${what}`, async () => {
        const before = await staffCount();
        assertClientError(
          await call(adminToken, { method: 'POST', url: '/api/v1/staff', payload: payload as object }),
          400,
        );
        assert.equal(await staffCount(), before, 'nothing was created');
      });
    }

    test('POST /api/v1/staff with a body that is not JSON', async () => {
      assertClientError(
        await call(adminToken, {
          method: 'POST',
          url: '/api/v1/staff',
          payload: '{"employeeNumber":',
          headers: { 'content-type': 'application/json' },
        }),
        400,
      );
      assertClientError(
        await call(adminToken, {
          method: 'POST',
          url: '/api/v1/staff',
          payload: '<staff/>',
          headers: { 'content-type': 'application/xml' },
        }),
        415,
      );
    });

    test('POST /api/v1/staff with a body over the size limit', async () => {
      const res = await call(adminToken, {
        method: 'POST',
        url: '/api/v1/staff',
        payload: JSON.stringify({ ...valid(), givenName: 'x'.repeat(3 * 1024 * 1024) }),
        headers: { 'content-type': 'application/json' },
      });
      assertClientError(res, 413);
    });

    test('a field error names the field', async () => {
      const body = assertClientError(
        await call(adminToken, { method: 'POST', url: '/api/v1/staff', payload: { ...valid(), email: 'nope' } }),
        400,
      );
      assert.deepEqual(
        body.errors?.map((e) => e.field),
        ['email'],
      );
    });

    test('PUT buddy: a buddy from a different team is refused and nothing changes', async () => {
      const { ola, jamal } = ids.person;
      const before = await buddyOf(ola);
      const body = assertClientError(
        await call(managerToken, { method: 'PUT', url: `/api/v1/staff/${ola}/buddy`, payload: { buddyId: jamal } }),
        400,
      );
      assert.equal(body.message, 'The buddy must be from the same team');
      assert.equal(await buddyOf(ola), before);
    });

    test('PUT buddy: a same-team buddy is allocated, and null clears it', async () => {
      const { ola, dev } = ids.person;
      const set = await call(managerToken, {
        method: 'PUT',
        url: `/api/v1/staff/${ola}/buddy`,
        payload: { buddyId: dev },
      });
      assert.equal(set.statusCode, 204, set.body);
      assert.equal(await buddyOf(ola), dev);
      const cleared = await call(managerToken, {
        method: 'PUT',
        url: `/api/v1/staff/${ola}/buddy`,
        payload: { buddyId: null },
      });
      assert.equal(cleared.statusCode, 204);
      assert.equal(await buddyOf(ola), null);
    });

    const buddyCases: [string, string, unknown, number][] = [
      ['themselves as buddy', 'ola', { buddyId: 'ola' }, 400],
      ['no body', 'ola', undefined, 400],
      ['no buddyId', 'ola', {}, 400],
      ['buddyId as text', 'ola', { buddyId: 'Dev' }, 400],
      ['an unknown property', 'ola', { buddyId: null, note: 'x' }, 400],
      ['a buddy who does not exist', 'ola', { buddyId: 999999 }, 400],
      ['a buddy id too big for the database', 'ola', { buddyId: 2147483648 }, 400],
      ['a person who does not exist', '999999', { buddyId: null }, 404],
    ];
    for (const [what, who, payload, status] of buddyCases) {
      test(`PUT /api/v1/staff/:id/buddy with ${what}`, async () => {
        const personId = who === 'ola' ? ids.person.ola : Number(who);
        const resolved =
          payload && typeof payload === 'object' && (payload as { buddyId?: unknown }).buddyId === 'ola'
            ? { buddyId: ids.person.ola }
            : payload;
        const before = who === 'ola' ? await buddyOf(ids.person.ola) : null;
        assertClientError(
          await call(managerToken, {
            method: 'PUT',
            url: `/api/v1/staff/${personId}/buddy`,
            ...(resolved === undefined ? {} : { payload: resolved as object }),
          }),
          status,
        );
        if (who === 'ola') assert.equal(await buddyOf(ids.person.ola), before);
      });
    }

    test('a worker may not allocate a buddy through the API either', async () => {
      assertClientError(
        await call(workerToken, {
          method: 'PUT',
          url: `/api/v1/staff/${ids.person.ola}/buddy`,
          payload: { buddyId: ids.person.dev },
        }),
        403,
      );
    });

    test('non-numeric, zero, negative and oversized ids', async () => {
      for (const base of ['/api/v1/staff', '/api/v1/teams', '/api/v1/buildings']) {
        for (const id of ['abc', '1.5', '-1', '1e3', '%20', '9999999999999', '0x10']) {
          assertClientError(await call(adminToken, { url: `${base}/${id}` }), 400);
        }
        assertClientError(await call(adminToken, { url: `${base}/0` }), 404);
        assertClientError(await call(adminToken, { url: `${base}/999999999` }), 404);
      }
      assertClientError(
        await call(managerToken, { method: 'PUT', url: '/api/v1/staff/abc/buddy', payload: { buddyId: null } }),
        400,
      );
    });

    test('bad query strings', async () => {
      assertClientError(await call(adminToken, { url: `/api/v1/staff?q=${'x'.repeat(101)}` }), 400);
      assertClientError(await call(adminToken, { url: '/api/v1/staff?sort=name' }), 400);
      assertClientError(await call(adminToken, { url: '/api/v1/staff?q=%00' }), 400);
    });

    test('an unknown API path is a JSON 404', async () => {
      assertClientError(await call(adminToken, { url: '/api/v1/nothing-here' }), 404);
      assertClientError(await call(adminToken, { method: 'DELETE', url: `/api/v1/staff/${ids.person.ola}` }), 404);
    });
  });

  describe('/api/docs', () => {
    test('is an OpenAPI 3 document listing every /api/v1 route registered', async () => {
      const res = await t.app.inject({ url: '/api/docs' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /application\/json/);
      const doc = res.json() as {
        openapi: string;
        info: { title: string };
        paths: Record<string, Record<string, { responses?: object; summary?: string }>>;
        components: { securitySchemes: Record<string, unknown> };
      };
      assert.match(doc.openapi, /^3\./);
      assert.ok(doc.info.title);
      assert.ok(doc.components.securitySchemes.bearer, 'documents the bearer token');

      const registered = registeredRoutes(t.app).filter((r) => r.split(' ')[1]!.startsWith('/api/v1/'));
      assert.ok(registered.length >= 12, `found the API routes: ${registered.join(', ')}`);
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      );
      const missing = registered.filter((r) => !documented.includes(r));
      assert.deepEqual(missing, [], 'every /api/v1 route is in the OpenAPI document');
      const extra = documented.filter((r) => !registered.includes(r) && !r.startsWith('HEAD '));
      assert.deepEqual(extra, [], 'the document lists no route that does not exist');
      for (const route of registered) {
        const [method, path] = route.split(' ') as [string, string];
        const op = doc.paths[path.replace(/:(\w+)/g, '{$1}')]![method.toLowerCase()]!;
        assert.ok(op.summary, `${route} has a summary`);
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${route} documents its responses`);
      }
      assert.ok(!Object.keys(doc.paths).some((p) => !p.startsWith('/api/v1/')), 'only API routes are documented');
    });
  });

  describe('check-ins sent again', () => {
    test('an Idempotency-Key records the check-in once; the repeat gets the first time; a bad key is a 400 naming the header', async () => {
      const chloe = await actorFor(t.repos.db, demo.worker);
      const visit = await t.services.visits.plan(chloe, buildVisitForm());
      await t.services.visits.arrive(chloe, visit);
      const checkIns = async () =>
        (
          await t.repos.db
            .selectFrom('timeline_events')
            .select('id')
            .where('visit_id', '=', visit)
            .where('type', '=', 'check_in')
            .execute()
        ).length;
      const before = await checkIns();
      const send = (key: string) =>
        call(workerToken, {
          method: 'POST',
          url: `/api/v1/visits/${visit}/check-ins`,
          payload: { lat: 51.14, lng: 0.87 },
          headers: { 'idempotency-key': key },
        });
      const first = await send('check-in-key-0001');
      assert.equal(first.statusCode, 201, first.body);
      await new Promise((r) => setTimeout(r, 20));
      const again = await send('check-in-key-0001');
      assert.equal(again.statusCode, 201);
      assert.deepEqual(again.json(), first.json(), 'the first answer');
      assert.equal(await checkIns(), before + 1, 'recorded once');
      assert.equal((await send('check-in-key-0002')).statusCode, 201);
      assert.equal(await checkIns(), before + 2, 'a new key is a new check-in');
      const bad = assertClientError(await send('x'), 400);
      assert.equal(bad.errors?.[0]?.field, 'Idempotency-Key');
    });
  });

  async function buddyOf(id: number) {
    return (await t.repos.db.selectFrom('staff').select('buddy_id').where('id', '=', id).executeTakeFirstOrThrow())
      .buddy_id;
  }
  async function staffCount() {
    return (await t.repos.db.selectFrom('staff').select('id').execute()).length;
  }
});
