/** The banner after a redirect: my day and the session page name what was just done by `?done=`. */
export function flashFor(done: string | undefined): string | undefined {
  return (
    {
      planned: 'Visit planned',
      arrived: 'Session started. Your buddy can see you are on a visit.',
      extended: 'Time extended',
      ended: 'Visit over: you are marked as safe',
      cancelled: 'Visit cancelled',
      edited: 'Visit changed. Its risk rating has been checked again.',
      joint: 'You have confirmed you are going on this joint visit',
      finished: 'Finished and safe for today. Your buddy can see this.',
    } as Record<string, string>
  )[done ?? ''];
}
