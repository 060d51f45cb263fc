import { buildRegistersContext, type RegistersDeps } from './context.ts';
import { buildDeclarations } from './declarations.ts';
import { buildGifts } from './gifts.ts';
import { buildRegisterReports } from './reports.ts';
import { isSeniorOfficer } from './rules.ts';

export { DEFAULT_REGISTERS_SETTINGS, type RegistersDeps, type RegistersSettings } from './context.ts';

/** Seed 002: annual declarations of interest and the register of gifts, hospitality, legacies and sponsorship. */
export function buildRegistersService(deps: RegistersDeps) {
  const ctx = buildRegistersContext(deps);
  return {
    settings: ctx.settings,
    ...buildDeclarations(ctx),
    ...buildGifts(ctx),
    ...buildRegisterReports(ctx),
    isSeniorOfficer,
  };
}

export type RegistersService = ReturnType<typeof buildRegistersService>;
