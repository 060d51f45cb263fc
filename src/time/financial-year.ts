/** Council financial years, 1 April to 31 March, named by the year they start in. */

/** The year the financial year containing the London date (`YYYY-MM-DD`) starts in. */
export function financialYearOf(date: string): number {
  const y = Number(date.slice(0, 4));
  return date.slice(5) >= '04-01' ? y : y - 1;
}

/** "2015/16" for the year starting in 2015. */
export const financialYearLabel = (start: number) => `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
