import type { FastifyPluginAsync } from 'fastify';
import { HELP_TOPICS } from './topics.ts';
import { DEFAULT_RETENTION, type RetentionSettings } from '../retention/rules.ts';

/**
 * Help and the statutory pages, open to everyone, signed in or not: guidance for each role and main
 * task (/help), the accessibility statement the Public Sector Bodies Accessibility Regulations 2018
 * require (/accessibility), and the privacy notice for staff and for the public whose data Harbour
 * holds (/privacy). Linked from every page's footer.
 */
export const helpRoutes: FastifyPluginAsync<{
  council: string;
  retentionYears: number;
  retention?: RetentionSettings;
}> = async (app, { council, retentionYears, retention }) => {
  app.get('/help', async (_request, reply) =>
    reply.view('help/help.njk', { title: 'Help using Harbour', topics: HELP_TOPICS }),
  );
  app.get('/accessibility', async (_request, reply) =>
    reply.view('help/accessibility.njk', { title: 'Accessibility statement for Harbour', council }),
  );
  app.get('/privacy', async (_request, reply) =>
    reply.view('help/privacy.njk', {
      title: 'Privacy notice',
      council,
      retentionYears,
      r: { ...DEFAULT_RETENTION, ...retention, foiYears: retentionYears },
    }),
  );
};
