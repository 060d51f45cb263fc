/** A Purple File call's answers to the Appendix B questions, kept as JSON on the call (purple_file_calls.answers). */
export type AnswerValue = 'yes' | 'no' | 'no_answer';
export type Answers = Record<string, { answer: AnswerValue; at: string }>;
