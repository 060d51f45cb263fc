const DONE: Record<string, string> = {
  declared: 'Declaration made',
  interest: 'Interest added to your declaration',
  signed: 'Management action recorded and signed off',
  sealed: 'Declaration signed',
  gift: 'Entry recorded',
  decided: 'Decision recorded',
  supplier: 'Contractor or supplier added',
  restriction: 'Political restriction updated',
};

/** The banner after a redirect: each register page names what was just done by `?done=`. */
export const flashFrom = (query: unknown) => DONE[(query as { done?: string }).done ?? ''];
