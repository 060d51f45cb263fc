import { z } from 'zod';
import { optionalPhone, optionalText, requiredText } from '../../web/validation.ts';
import { isoDate, londonToday } from '../../time/london.ts';

/** An emergency contact (Appendix A): name, relationship, and home, mobile and work numbers. */
export interface EmergencyContact {
  name: string;
  relationship: string | null;
  homePhone: string | null;
  mobilePhone: string | null;
  workPhone: string | null;
}

/** The worker's Emergency Contact and Medical Details form (seed 001 Appendix A), as stored (encrypted). */
export interface EmergencyPack {
  name: string;
  dateOfBirth: string | null;
  address: string | null;
  homePhone: string | null;
  mobilePhone: string | null;
  homeEmail: string | null;
  workEmail: string | null;
  car: { makeModel: string | null; colour: string | null; registration: string | null };
  /** How the police would recognise the worker (height, build, hair, glasses). Absent in packs saved before it was asked. */
  description?: string | null;
  contacts: EmergencyContact[];
  /** 1 or 2: the contact to use first in an emergency (the form's asterisk). */
  preferredContact: 1 | 2;
  medical: { conditions: string | null; medication: string | null; adviceIfUnwell: string | null };
}

const optionalEmail = z
  .string()
  .trim()
  .optional()
  .refine(
    (v) => !v || z.email().safeParse(v).success,
    'Enter an email address in the correct format, like name@example.org',
  )
  .transform((v) => (v ? v.toLowerCase() : null));

const contactFields = (n: 1 | 2) => ({
  [`contact${n}Name`]:
    n === 1 ? requiredText('Enter the name of your first emergency contact', 120) : optionalText(120),
  [`contact${n}Relationship`]: optionalText(60),
  [`contact${n}Home`]: optionalPhone(),
  [`contact${n}Mobile`]: optionalPhone(),
  [`contact${n}Work`]: optionalPhone(),
});

/** The form as posted; turned into an EmergencyPack by toPack. */
export const packForm = z
  .object({
    name: requiredText('Enter your full name', 120),
    'dob-day': z.string().trim().optional(),
    'dob-month': z.string().trim().optional(),
    'dob-year': z.string().trim().optional(),
    address: optionalText(300),
    homePhone: optionalPhone(),
    mobilePhone: optionalPhone(),
    homeEmail: optionalEmail,
    workEmail: optionalEmail,
    description: optionalText(500),
    carMakeModel: optionalText(80),
    carColour: optionalText(40),
    carRegistration: z
      .string()
      .trim()
      .max(10, 'Car registration must be 10 characters or fewer')
      .regex(/^[A-Za-z0-9 ]*$/, 'Car registration must only include letters, numbers and spaces')
      .optional()
      .transform((v) => (v ? v.toUpperCase() : null)),
    ...contactFields(1),
    ...contactFields(2),
    preferredContact: z.enum(['1', '2'], { error: 'Select which emergency contact to use first' }),
    medicalConditions: optionalText(2000),
    medication: optionalText(2000),
    adviceIfUnwell: optionalText(2000),
  })
  .superRefine((f, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const d = [f['dob-day'], f['dob-month'], f['dob-year']];
    if (d.some(Boolean)) {
      const iso = d.every(Boolean) ? isoDate(d[0]!, d[1]!, d[2]!) : null;
      if (!iso) problem('dob', 'Date of birth must be a real date, like 27 3 1985');
      else if (iso >= londonToday() || iso < '1900-01-01') problem('dob', 'Date of birth must be in the past');
    }
    const c = f as Record<string, string | null>;
    if (!c.contact1Home && !c.contact1Mobile && !c.contact1Work)
      problem('contact1Mobile', 'Enter at least one telephone number for your first emergency contact');
    if (c.contact2Name && !c.contact2Home && !c.contact2Mobile && !c.contact2Work)
      problem('contact2Mobile', 'Enter at least one telephone number for your second emergency contact');
    if (!c.contact2Name && (c.contact2Home || c.contact2Mobile || c.contact2Work || c.contact2Relationship))
      problem('contact2Name', 'Enter the name of your second emergency contact');
    if (f.preferredContact === '2' && !c.contact2Name)
      problem('preferredContact', 'You have no second emergency contact: choose the first');
  });
export type PackForm = z.output<typeof packForm>;

export function toPack(f: PackForm): EmergencyPack {
  const c = f as unknown as Record<string, string | null>;
  const contact = (n: 1 | 2): EmergencyContact | null =>
    c[`contact${n}Name`]
      ? {
          name: c[`contact${n}Name`]!,
          relationship: c[`contact${n}Relationship`] ?? null,
          homePhone: c[`contact${n}Home`] ?? null,
          mobilePhone: c[`contact${n}Mobile`] ?? null,
          workPhone: c[`contact${n}Work`] ?? null,
        }
      : null;
  return {
    name: f.name,
    dateOfBirth:
      f['dob-day'] && f['dob-month'] && f['dob-year'] ? isoDate(f['dob-day'], f['dob-month'], f['dob-year']) : null,
    address: f.address,
    homePhone: f.homePhone,
    mobilePhone: f.mobilePhone,
    homeEmail: f.homeEmail,
    workEmail: f.workEmail,
    car: { makeModel: f.carMakeModel, colour: f.carColour, registration: f.carRegistration },
    description: f.description,
    contacts: [contact(1), contact(2)].filter((x): x is EmergencyContact => x !== null),
    preferredContact: f.preferredContact === '2' ? 2 : 1,
    medical: { conditions: f.medicalConditions, medication: f.medication, adviceIfUnwell: f.adviceIfUnwell },
  };
}

/** The stored pack back into the form's fields, to edit it. */
export function toFormValues(p: EmergencyPack): Record<string, string> {
  const [y, m, d] = (p.dateOfBirth ?? '').split('-');
  const out: Record<string, string> = {
    name: p.name,
    'dob-day': d ? String(Number(d)) : '',
    'dob-month': m ? String(Number(m)) : '',
    'dob-year': y ?? '',
    address: p.address ?? '',
    homePhone: p.homePhone ?? '',
    mobilePhone: p.mobilePhone ?? '',
    homeEmail: p.homeEmail ?? '',
    workEmail: p.workEmail ?? '',
    description: p.description ?? '',
    carMakeModel: p.car.makeModel ?? '',
    carColour: p.car.colour ?? '',
    carRegistration: p.car.registration ?? '',
    preferredContact: String(p.preferredContact),
    medicalConditions: p.medical.conditions ?? '',
    medication: p.medical.medication ?? '',
    adviceIfUnwell: p.medical.adviceIfUnwell ?? '',
  };
  p.contacts.forEach((c, i) => {
    const n = i + 1;
    out[`contact${n}Name`] = c.name;
    out[`contact${n}Relationship`] = c.relationship ?? '';
    out[`contact${n}Home`] = c.homePhone ?? '';
    out[`contact${n}Mobile`] = c.mobilePhone ?? '';
    out[`contact${n}Work`] = c.workPhone ?? '';
  });
  return out;
}

export const breakGlassForm = z.object({
  reason: requiredText('Enter why you need to open their emergency details', 500),
  alertId: z
    .string({ error: 'Select the alarm or escalation you are responding to' })
    .trim()
    .regex(/^\d{1,18}$/, 'Select the alarm or escalation you are responding to'),
});
export type BreakGlassForm = z.output<typeof breakGlassForm>;
