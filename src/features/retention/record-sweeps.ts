import { DateTime } from 'luxon';
import { ZONE } from '../../time/london.ts';
import { flagDueOn, incidentDueOn, isDue, keptBecause, registerDueOn } from './rules.ts';
import type { KindResult, RetentionContext } from './context.ts';
import { pages, type Sweep } from './sweep.ts';

const byId = (row: { id: number }) => row.id;

/** Sessions: coordinates go the period after the session ended. */
export async function sweepSessions({ repo, settings }: RetentionContext, s: Sweep): Promise<KindResult> {
  const r = s.result('session');
  const cutoff = new Date(s.at.getTime() - settings.locationDays * 86_400_000);
  for await (const page of pages(0, (after, n) => repo.sessionCandidates(cutoff, after, n), byId)) {
    for (const v of page) {
      const why = keptBecause({ held: v.held, openInvestigation: v.open_incident });
      await s.dispose(r, why, v.id, 'anonymise', { locationDays: settings.locationDays }, (trx) =>
        repo.anonymiseSession(trx, v.id),
      );
    }
  }
  return r;
}

/** Incidents and investigations. */
export async function sweepIncidents({ repo, settings }: RetentionContext, s: Sweep): Promise<KindResult> {
  const r = s.result('incident');
  const cutoff = DateTime.fromJSDate(s.at, { zone: ZONE })
    .minus({ years: Math.min(settings.incidentYears, settings.riddorYears) })
    .toJSDate();
  for await (const page of pages(0, (after, n) => repo.incidentCandidates(cutoff, after, n), byId)) {
    for (const i of page) {
      const dueOn = incidentDueOn(settings, {
        closedAt: i.closed_at,
        riddor: i.riddor,
        hseReportedOn: i.hse_reported_on,
        riddorReportBy: i.riddor_report_by,
      });
      if (!isDue(dueOn, s.today)) continue;
      const why = keptBecause({ held: i.held, openInvestigation: i.open_investigation, openClaim: i.open_claim });
      await s.dispose(r, why, i.id, 'anonymise', { incidentYears: settings.incidentYears, riddor: i.riddor }, (trx) =>
        repo.anonymiseIncident(trx, i.id),
      );
    }
  }
  return r;
}

/** Warning flags. */
export async function sweepFlags({ repo, settings }: RetentionContext, s: Sweep): Promise<KindResult> {
  const r = s.result('warning_flag');
  const cutoff = DateTime.fromJSDate(s.at, { zone: ZONE }).minus({ years: settings.flagYears }).toJSDate();
  for await (const page of pages(0, (after, n) => repo.flagCandidates(cutoff, after, n), byId)) {
    for (const f of page) {
      if (!isDue(flagDueOn(settings, { withdrawnAt: f.withdrawn_at, expiresAt: f.expires_at }, s.at), s.today))
        continue;
      const why = keptBecause({ held: f.held, openInvestigation: f.open_incident });
      await s.dispose(r, why, f.id, 'erase', { flagYears: settings.flagYears }, (trx) => repo.eraseFlag(trx, f.id));
    }
  }
  return r;
}

/** Register entries. */
export async function sweepRegisterEntries({ repo, settings }: RetentionContext, s: Sweep): Promise<KindResult> {
  const r = s.result('register_entry');
  const yearBefore = Number(s.today.slice(0, 4)) - settings.registerYears;
  const candidates = (after: string, n: number) => repo.registerCandidates(yearBefore, after, n);
  for await (const page of pages('', candidates, (e) => e.record_id)) {
    for (const e of page) {
      if (!isDue(registerDueOn(settings, e.year), s.today)) continue;
      await s.dispose(
        r,
        e.held ? 'legal hold' : null,
        e.record_id,
        'erase',
        { registerYears: settings.registerYears },
        (trx) => repo.eraseRegisterEntry(trx, e.record_id),
      );
    }
  }
  return r;
}

/** Emergency packs of people who have left. */
export async function sweepPacks({ repo }: RetentionContext, s: Sweep): Promise<KindResult> {
  const r = s.result('emergency_pack');
  for await (const page of pages(
    0,
    (after, n) => repo.packCandidates(after, n),
    (p) => p.staff_id,
  )) {
    for (const p of page) {
      await s.dispose(r, p.held ? 'legal hold' : null, p.staff_id, 'erase', { reason: 'left' }, (trx) =>
        repo.erasePack(trx, p.staff_id),
      );
    }
  }
  return r;
}

/** FOI requester details (the FOI retention job does the same nightly; holds are honoured by both). */
export async function sweepFoiRequesters({ repo, settings }: RetentionContext, s: Sweep): Promise<KindResult> {
  const r = s.result('foi_request');
  const cutoff = DateTime.fromJSDate(s.at, { zone: ZONE }).minus({ years: settings.foiYears }).toJSDate();
  for await (const page of pages(0, (after, n) => repo.foiCandidates(cutoff, after, n), byId)) {
    for (const f of page) {
      const detail = { reference: f.reference, retentionYears: settings.foiYears };
      await s.dispose(r, f.held ? 'legal hold' : null, f.id, 'erase', detail, (trx) =>
        repo.eraseFoiRequester(trx, f.id),
      );
    }
  }
  return r;
}
