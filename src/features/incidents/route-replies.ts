const DONE: Record<string, string> = {
  draft: 'Draft saved. You can come back to it from Incidents.',
  submitted: 'Incident reported. Your manager has been given a deadline to meet you.',
  behalf: 'Incident reported. The person it happened to has been asked to confirm it.',
  confirmed: 'Thank you for confirming the report',
  response: 'Response recorded',
  police: 'Police and prosecution recorded',
  riddor: 'RIDDOR recorded',
  serious: 'Saved whether the incident is serious',
  flag: 'Warning flag raised. Visits to that case or address are now rated RED.',
  legal: 'Legal or service action recorded',
  flagRenewed: 'Warning flag renewed. The team has been told.',
  investigation: 'Investigation saved',
  action: 'Action added. Its owner has been told.',
  actionDone: 'Action marked done',
  closed: 'Incident closed',
};

/** The banner after a redirect: the incident pages name what was just done by `?done=`. */
export const flashFrom = (query: unknown) => DONE[(query as { done?: string }).done ?? ''];
