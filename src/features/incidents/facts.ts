import { isSerious, riddor } from './rules.ts';

/** What RIDDOR and the serious rule make of an incident's facts, stored so lists and statistics can use them. */
export function derivedFacts(i: {
  occurred_at: Date | null;
  categories: string[];
  injured: boolean | null;
  specified_injury: boolean;
  days_off: number | null;
  major_incident: boolean;
  marked_serious: boolean;
}) {
  const r = i.occurred_at
    ? riddor(i.occurred_at, {
        categories: i.categories,
        specifiedInjury: i.specified_injury,
        daysIncapacitated: i.days_off,
      })
    : null;
  const reportable = Boolean(r?.reportable);
  return {
    riddor_kind: r?.kind ?? null,
    riddor_report_by: r && r.reportable ? r.reportBy : null,
    serious: isSerious({
      categories: i.categories,
      injured: Boolean(i.injured),
      riddorReportable: reportable,
      majorIncident: i.major_incident,
      markedSerious: i.marked_serious,
    }),
  };
}
