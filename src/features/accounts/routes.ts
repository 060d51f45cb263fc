import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { can } from '../auth/access.ts';
import { ROLES, ROLE_LABELS, type Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { idParam } from '../people/routes.ts';
import { accountForm, rolesForm, tokenForm } from './schema.ts';
import { PER_PAGE, choiceParam, listHref, pageFrom, paging, textParam } from '../../web/paging.ts';

const ACCOUNT_STATUSES = { on: 'Turned on', off: 'Turned off' } as const;

const DONE: Record<string, string> = {
  added: 'Sign-in account added',
  roles: 'Roles saved',
  disabled: 'Account turned off: its sessions have ended and its API tokens no longer work',
  enabled: 'Account turned on',
  revoked: 'API token revoked',
};
const flashFrom = (query: unknown) => {
  const done = (query as { done?: unknown } | undefined)?.done;
  return typeof done === 'string' && Object.hasOwn(DONE, done) ? DONE[done] : undefined;
};

const roleItems = (selected: unknown) => {
  const chosen = Array.isArray(selected) ? selected.map(String) : selected ? [String(selected)] : [];
  return ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r], checked: chosen.includes(r) }));
};

function requireAccountsAdmin(request: Parameters<typeof requireActor>[0]): Actor {
  const actor = requireActor(request);
  if (!can(actor, 'accounts.manage')) throw new ForbiddenError('Only administrators can manage accounts');
  return actor;
}

export const accountsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { auth, people } = services;

  /** The accounts list: searched by name or email, narrowed by role and by on or off, 50 a page with the total. */
  const listPage = async (query: unknown) => {
    const q = textParam(query, 'q').toLowerCase();
    const role = choiceParam(query, 'role', ROLE_LABELS);
    const status = choiceParam(query, 'status', ACCOUNT_STATUSES);
    const found = (await auth.listAccounts()).filter(
      (a) =>
        (!q || a.display_name.toLowerCase().includes(q) || a.email.toLowerCase().includes(q)) &&
        (!role || a.roles.includes(role)) &&
        (!status || (status === 'off') === Boolean(a.disabled_at)),
    );
    const filters = { q: textParam(query, 'q'), role, status };
    const paged = paging(pageFrom((query as { page?: unknown } | undefined)?.page), found.length, 'accounts', (p) =>
      listHref('/admin/accounts', filters, p),
    );
    return {
      title: 'Sign-in accounts',
      backLink: '/admin',
      filters,
      paging: paged,
      statuses: ACCOUNT_STATUSES,
      roles: ROLE_LABELS,
      accounts: found.slice((paged.page - 1) * PER_PAGE, paged.page * PER_PAGE),
    };
  };
  app.get('/admin/accounts', async (request, reply) => {
    requireAccountsAdmin(request);
    return reply.view('accounts/list.njk', { ...(await listPage(request.query)), flash: flashFrom(request.query) });
  });

  const newContext = async (actor: Actor) => ({
    title: 'Add a sign-in account',
    backLink: '/admin/accounts',
    staff: (await people.list(actor))
      .filter((s) => s.active)
      .map((s) => ({ id: s.id, label: `${s.given_name} ${s.family_name} (${s.employee_number})` })),
  });
  app.get('/admin/accounts/new', async (request, reply) => {
    const actor = requireAccountsAdmin(request);
    return reply.view('accounts/new.njk', {
      ...(await newContext(actor)),
      values: {},
      roleItems: roleItems(['worker']),
    });
  });
  app.post('/admin/accounts', async (request, reply) => {
    const actor = requireAccountsAdmin(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return handleForm(
      reply,
      () => {
        const f = parseWith(accountForm, body);
        return auth.createAccount(actor, { ...f, password: f.password });
      },
      {
        template: 'accounts/new.njk',
        values: { ...body, password: '' },
        context: async () => ({ ...(await newContext(actor)), roleItems: roleItems(body.roles) }),
      },
      () => '/admin/accounts?done=added',
    );
  });

  app.get<{ Params: { id: string } }>('/admin/accounts/:id/roles', async (request, reply) => {
    requireAccountsAdmin(request);
    const account = (await auth.listAccounts()).find((a) => a.id === idParam(request.params.id));
    if (!account) throw new NotFoundError('Account');
    return reply.view('accounts/roles.njk', {
      title: `Roles for ${account.display_name}`,
      account,
      roleItems: roleItems(account.roles),
      backLink: '/admin/accounts',
    });
  });
  app.post<{ Params: { id: string } }>('/admin/accounts/:id/roles', async (request, reply) => {
    const actor = requireAccountsAdmin(request);
    const id = idParam(request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return handleForm(
      reply,
      () => auth.setRoles(actor, id, parseWith(rolesForm, body).roles),
      {
        template: 'accounts/roles.njk',
        values: body,
        context: async () => {
          const account = (await auth.listAccounts()).find((a) => a.id === id);
          if (!account) throw new NotFoundError('Account');
          return {
            title: `Roles for ${account.display_name}`,
            account,
            roleItems: roleItems(body.roles),
            backLink: '/admin/accounts',
          };
        },
      },
      () => '/admin/accounts?done=roles',
    );
  });

  // Turning an account off ends every session at once; its API tokens stop working.
  for (const [path, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post<{ Params: { id: string } }>(`/admin/accounts/:id/${path}`, async (request, reply) => {
      const actor = requireAccountsAdmin(request);
      const id = idParam(request.params.id);
      return handleForm(
        reply,
        () => auth.setDisabled(actor, id, disabled),
        { template: 'accounts/list.njk', values: {}, context: () => listPage({}) },
        () => `/admin/accounts?done=${path}d`,
      );
    });
  }

  // Each person's own API tokens for integrations.
  app.get('/account/tokens', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('accounts/tokens.njk', {
      title: 'API tokens',
      tokens: await auth.listTokens(actor),
      values: {},
      flash: flashFrom(request.query),
    });
  });
  app.post('/account/tokens', async (request, reply) => {
    const actor = requireActor(request);
    try {
      const form = parseWith(tokenForm, request.body);
      const expires = form.expiresInDays ? new Date(Date.now() + form.expiresInDays * 86400_000) : null;
      const created = await auth.createApiToken(actor, actor.accountId, form.name, expires);
      // Shown once, on this response only; never stored in clear.
      return reply.view('accounts/tokens.njk', {
        title: 'API tokens',
        tokens: await auth.listTokens(actor),
        values: {},
        newToken: created.token,
      });
    } catch (e) {
      return handleForm(
        reply,
        () => Promise.reject(e),
        {
          template: 'accounts/tokens.njk',
          values: request.body,
          context: async () => ({ title: 'API tokens', tokens: await auth.listTokens(actor) }),
        },
        () => '/account/tokens',
      );
    }
  });
  app.post<{ Params: { id: string } }>('/account/tokens/:id/revoke', async (request, reply) => {
    const actor = requireActor(request);
    await auth.revokeToken(actor, idParam(request.params.id));
    return reply.redirect('/account/tokens?done=revoked', 303);
  });
};
