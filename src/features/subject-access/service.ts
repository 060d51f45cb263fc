import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { buildSubjectAccessRepository } from './repository.ts';
import { buildExportZip, type Section } from './export.ts';

interface PackReader {
  forSubjectAccess(
    actor: Actor,
    staffId: number,
  ): Promise<{ pack: unknown; updatedAt: Date | null; unreadable: boolean }>;
}

export const PUBLIC_KINDS = {
  complainant: 'Complainant',
  foi_requester: 'FOI requester',
  warning_flag: 'Person on a warning flag',
} as const;
export type PublicKind = keyof typeof PUBLIC_KINDS;

/** Subject access exports (issue 20): everything Harbour holds about a person, as a zip; every export audited. */
export function buildSubjectAccessService(deps: {
  db: Kysely<DB>;
  audit: AuditRepository;
  emergency: PackReader;
  now?: () => Date;
}) {
  const repo = buildSubjectAccessRepository(deps.db);
  const now = deps.now ?? (() => new Date());

  function mustExport(actor: Actor) {
    if (!can(actor, 'subject_access.export'))
      throw new ForbiddenError('Only the information governance officer makes subject access exports');
  }
  const fileName = (name: string) =>
    `subject-access-${
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'export'
    }-${now().toISOString().slice(0, 10)}.zip`;

  return {
    async staffList(actor: Actor) {
      mustExport(actor);
      return repo.staffList();
    },

    /** Everything about a member of staff. The emergency pack is decrypted (audited by the emergency feature) and the export itself is audited. */
    async staffExport(actor: Actor, staffId: number) {
      mustExport(actor);
      const person = await repo.person(staffId);
      if (!person) throw new NotFoundError('Member of staff');
      const name = `${person.given_name} ${person.family_name}`;
      const [sessions, timeline, alerts, incidents, complaints, declarations, gifts, views] = await Promise.all([
        repo.sessions(staffId),
        repo.timeline(staffId),
        repo.alerts(staffId),
        repo.incidents(staffId),
        repo.complaints(staffId),
        repo.declarations(staffId),
        repo.gifts(staffId),
        repo.packViews(staffId),
      ]);
      const pack = await deps.emergency.forSubjectAccess(actor, staffId);
      const sections: Section[] = [
        {
          file: 'person',
          title: 'Staff record',
          description: 'Their record in Harbour: name, contact numbers, team, role.',
          rows: [person],
          thirdParty: [],
        },
        {
          file: 'sessions',
          title: 'Lone-working sessions',
          description:
            'Every visit or session they planned or ran, with addresses and (until the retention period ends) coordinates.',
          rows: sessions,
          thirdParty: ['address', 'postcode', 'case_id', 'description', 'notes'],
        },
        {
          file: 'timeline',
          title: 'Session and alert timelines',
          description: 'Each event on their sessions and alerts: check-ins, extensions, messages, who acted.',
          rows: timeline,
          thirdParty: ['by'],
        },
        {
          file: 'alerts',
          title: 'Alerts',
          description: 'Overdue, end-of-day and duress alerts about them, and how each ended.',
          rows: alerts,
          thirdParty: ['outcome_notes', 'duress_case_reference'],
        },
        {
          file: 'incidents',
          title: 'Incidents they reported or were involved in',
          description: 'Violence at work reports (HS157) where they were the employee or the reporter.',
          rows: incidents,
          thirdParty: [
            'perpetrator_case_system',
            'perpetrator_case_id',
            'others_present',
            'witnesses',
            'narrative',
            'crime_reference',
            'response_notes',
          ],
        },
        {
          file: 'complaints',
          title: 'Complaints naming them',
          description: 'Complaints in which they are named, with allegations, findings and actions about them.',
          rows: complaints,
          thirdParty: [
            'complainant_name',
            'complainant_contact',
            'household',
            'summary',
            'allegation_details',
            'learning',
          ],
        },
        {
          file: 'declarations',
          title: 'Declarations of interest',
          description: 'Their yearly declarations and the interests declared.',
          rows: declarations,
          thirdParty: ['description'],
        },
        {
          file: 'gifts',
          title: 'Gifts and hospitality',
          description: 'Gifts, hospitality, legacies and sponsorship they recorded.',
          rows: gifts,
          thirdParty: ['offered_by'],
        },
        {
          file: 'emergency-pack',
          title: 'Emergency contact and medical details',
          description: pack.unreadable
            ? 'Their pack is held but could not be opened with the configured keys.'
            : 'Their emergency pack, decrypted for this export (the opening is audited).',
          rows: pack.pack ? [{ updated_at: pack.updatedAt, ...(pack.pack as Record<string, unknown>) }] : [],
          thirdParty: ['contacts', 'nextOfKin', 'kinName', 'kinPhone', 'contactName', 'contactPhone'],
        },
        {
          file: 'emergency-pack-views',
          title: 'Who viewed their emergency pack',
          description: 'Each time a responder opened their pack (break-glass), with the reason given.',
          rows: views,
          thirdParty: [],
        },
      ];
      const zip = buildExportZip(
        { kind: 'staff', name, reference: person.employee_number, requestedBy: actor.displayName, at: now() },
        sections,
      );
      await deps.audit.append({
        ...actorFields(actor),
        action: 'subject_access.export',
        entityType: 'staff',
        entityId: staffId,
        detail: {
          subject: 'staff',
          counts: Object.fromEntries(sections.map((s) => [s.file, s.rows.length])),
          bytes: zip.byteLength,
        },
      });
      return { fileName: fileName(name), zip };
    },

    /** A member of the public by name and reference: a complainant (complaint reference), an FOI requester (FOI reference) or a person on a warning flag (case reference). */
    async publicExport(actor: Actor, input: { kind: string; name: string; reference: string }) {
      mustExport(actor);
      const name = input.name.trim();
      const reference = input.reference.trim();
      const errors: { field: string; message: string }[] = [];
      const kind = input.kind in PUBLIC_KINDS ? (input.kind as PublicKind) : null;
      if (!kind) errors.push({ field: 'kind', message: 'Select who the request is from' });
      if (!name) errors.push({ field: 'name', message: 'Enter the person’s name' });
      else if (name.length > 200) errors.push({ field: 'name', message: 'Name must be 200 characters or fewer' });
      if (!reference) errors.push({ field: 'reference', message: 'Enter the reference' });
      else if (reference.length > 60)
        errors.push({ field: 'reference', message: 'Reference must be 60 characters or fewer' });
      if (errors.length) throw new ValidationError(errors);
      let sections: Section[];
      if (kind === 'complainant') {
        sections = [
          {
            file: 'complaints',
            title: 'Their complaint',
            description: 'The complaint with this reference made in their name.',
            rows: await repo.complainant(name, reference),
            thirdParty: ['staff_named', 'household', 'allegations'],
          },
        ];
      } else if (kind === 'foi_requester') {
        sections = [
          {
            file: 'foi-requests',
            title: 'Their FOI request',
            description:
              'The request with this reference made in their name (details are erased after the retention period).',
            rows: await repo.foiRequester(name, reference),
            thirdParty: [],
          },
        ];
      } else {
        sections = [
          {
            file: 'warning-flags',
            title: 'Warning flags on their case',
            description: `Flags recorded against case reference ${reference}. Check the name against each description.`,
            rows: await repo.flags(reference),
            thirdParty: ['description', 'postcode'],
          },
          {
            file: 'incidents',
            title: 'Incidents recorded against their case',
            description: 'Violence at work reports naming this case as the person involved.',
            rows: await repo.incidentsAboutCase(reference),
            thirdParty: ['narrative'],
          },
        ];
      }
      if (sections.every((s) => s.rows.length === 0))
        throw new ValidationError([
          { field: 'reference', message: 'Harbour holds nothing under that name and reference: check both' },
        ]);
      const zip = buildExportZip(
        { kind: 'public', name, reference, requestedBy: actor.displayName, at: now() },
        sections,
      );
      await deps.audit.append({
        ...actorFields(actor),
        action: 'subject_access.export',
        entityType: kind!,
        entityId: reference,
        detail: {
          subject: kind,
          counts: Object.fromEntries(sections.map((s) => [s.file, s.rows.length])),
          bytes: zip.byteLength,
        },
      });
      return { fileName: fileName(name), zip };
    },
  };
}

export type SubjectAccessService = ReturnType<typeof buildSubjectAccessService>;
