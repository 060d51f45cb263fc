/** The event line an acknowledgement writes (`${name} acknowledged`), and how it is recognised again. */
export const ACKNOWLEDGED = 'acknowledged';
export const isAcknowledgement = (text: string) => / acknowledged( \(after the all clear\))?$/.test(text);
