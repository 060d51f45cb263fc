/** The contents of /help: one section per role or main task, in the order people need them. */
export const HELP_TOPICS = [
  { id: 'emergency', heading: 'In an emergency' },
  { id: 'lone-working', heading: 'Working alone: your visits' },
  { id: 'covert', heading: 'If you cannot speak freely' },
  { id: 'buddies', heading: 'Buddies and managers: when an alert comes' },
  { id: 'office', heading: 'Business support: the Purple File call' },
  { id: 'procedure', heading: 'How Harbour follows the council’s procedure' },
  { id: 'incidents', heading: 'Reporting violence or aggression' },
  { id: 'officers', heading: 'Health and safety, complaints and FOI officers' },
  { id: 'admin', heading: 'Administrators' },
  { id: 'no-signal', heading: 'No signal' },
  { id: 'contact', heading: 'Getting help with Harbour' },
] as const;
