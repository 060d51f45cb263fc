// The auth service is assembled in index.ts from its capability modules. This path stays for the
// callers that still import it (routes.ts, web/security.ts).
export { buildAuthService, toActor } from './index.ts';
export type { AuthDeps, AuthService, OidcRefusal, PasswordSignIn } from './index.ts';
