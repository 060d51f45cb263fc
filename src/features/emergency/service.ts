import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import { hasRole, type Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { relationTo } from '../visits/access.ts';
import { KeyError, buildKeyring, keyId, newKey, parseKey, seal, secretBox, unseal, type Keyring } from './crypto.ts';
import type { EmergencyRepository } from './repository.ts';
import type { EmergencyPack } from './schema.ts';
import { packProblem, reminderDue } from './rules.ts';

export interface EmergencySettings {
  /** EMERGENCY_PACK_KEY: base64 of 32 bytes. Unset: a development key is made once and kept in app_settings. */
  key: string | null;
  /** EMERGENCY_PACK_PREVIOUS_KEYS: keys that sealed packs before a rotation; they only open. */
  previousKeys: string[];
}

export interface BreakGlassRequest {
  reason: string;
  /** The open alert (overdue, duress, end of day) about the worker the responder is dealing with. */
  alertId?: string | number | null;
  /** Or an open Purple File call about them (migration 0008), when it has no alert. */
  purpleFileCallId?: number | null;
}

const aad = (staffId: number) => `emergency_pack:${staffId}`;
const name = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;

/** Seed 001 Appendix A: each worker's emergency contact and medical details, encrypted, opened by break-glass. */
export function buildEmergencyService(deps: {
  db: Kysely<DB>;
  emergency: EmergencyRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  settings?: EmergencySettings;
  now?: () => Date;
}) {
  const { db, emergency: repo, staff, audit } = deps;
  const settings = deps.settings ?? { key: null, previousKeys: [] };
  const now = deps.now ?? (() => new Date());
  let ring: Promise<{ keyring: Keyring; development: boolean }> | null = null;

  function keyring() {
    ring ??= (async () => {
      const previous = settings.previousKeys.map(parseKey);
      if (settings.key) {
        // A development key that sealed packs before production set its own still opens them until rotation.
        const dev = await repo.existingDevKey();
        return {
          keyring: buildKeyring(parseKey(settings.key), dev ? [...previous, parseKey(dev)] : previous),
          development: false,
        };
      }
      const dev = parseKey(await repo.devKey(() => newKey().toString('base64')));
      return { keyring: buildKeyring(dev, previous), development: true };
    })();
    ring.catch(() => {
      ring = null;
    });
    return ring;
  }

  /** The pack, or unreadable when no configured key opens it (a key was removed before rotation): said, never guessed. */
  async function decrypt(
    staffId: number,
  ): Promise<{ pack: EmergencyPack | null; updatedAt: Date | null; unreadable: boolean }> {
    const row = await repo.pack(staffId);
    if (!row) return { pack: null, updatedAt: null, unreadable: false };
    const { keyring: k } = await keyring();
    try {
      return {
        pack: JSON.parse(unseal(k, { keyId: row.key_id, ciphertext: row.ciphertext }, aad(staffId))) as EmergencyPack,
        updatedAt: row.updated_at,
        unreadable: false,
      };
    } catch (e) {
      if (!(e instanceof KeyError)) throw e;
      return { pack: null, updatedAt: row.updated_at, unreadable: true };
    }
  }

  function mustBeStaff(actor: Actor): number {
    if (actor.staffId === null)
      throw new ForbiddenError(
        'Your sign-in account is not linked to a member of staff, so you have no emergency details to keep',
      );
    return actor.staffId;
  }

  /** What a responder may break glass for: the worker's open alerts they respond to, and open Purple File calls. */
  async function openReasons(actor: Actor, workerId: number) {
    if (actor.staffId === null || actor.staffId === workerId) return [];
    const relation = await relationTo(staff, actor, workerId);
    const responder = relation.buddy || relation.manager || relation.teamBusinessSupport;
    const alerts = await repo.openAlerts(workerId);
    const allowed = [];
    for (const a of alerts) if (responder || (await repo.wasAlerted(a.id, actor.staffId))) allowed.push(a);
    return allowed;
  }

  async function openPurpleFileCall(actor: Actor, workerId: number, callId: number): Promise<boolean> {
    if (actor.staffId === null) return false;
    try {
      const { rows } = await sql<{
        responder_id: number;
      }>`SELECT responder_id FROM purple_file_calls WHERE id = ${callId} AND worker_id = ${workerId} AND status = 'open'`.execute(
        db,
      );
      const call = rows[0];
      if (!call) return false;
      if (call.responder_id === actor.staffId) return true;
      const r = await relationTo(staff, actor, workerId);
      return r.buddy || r.manager || r.teamBusinessSupport;
    } catch {
      return false;
    }
  }

  return {
    /** Makes the development key on first start (when none is configured); says which kind is in use. */
    async ensureKey() {
      const { keyring: k, development } = await keyring();
      return { keyId: k.currentId, development };
    },

    /** The worker's own pack, to read and edit, and who else has opened it. Every view is audited. */
    async mine(actor: Actor) {
      const staffId = mustBeStaff(actor);
      const [{ pack, updatedAt, unreadable }, views] = await Promise.all([decrypt(staffId), repo.views(staffId)]);
      await audit.append({
        ...actorFields(actor),
        action: 'emergency_pack.view_own',
        entityType: 'staff',
        entityId: staffId,
        detail: { exists: pack !== null },
      });
      return {
        pack,
        updatedAt,
        unreadable,
        views,
        problem: unreadable ? ('missing' as const) : packProblem(updatedAt, now()),
      };
    },

    /** A subject access export (issue 20): the information governance officer reads the pack for the person it is about; audited before it is returned. */
    async forSubjectAccess(actor: Actor, staffId: number) {
      if (!hasRole(actor, 'information_governance_officer'))
        throw new ForbiddenError(
          'Only the information governance officer exports emergency details for a subject access request',
        );
      const result = await decrypt(staffId);
      await audit.append({
        ...actorFields(actor),
        action: 'emergency_pack.subject_access',
        entityType: 'staff',
        entityId: staffId,
        detail: { exists: result.pack !== null, unreadable: result.unreadable },
      });
      return result;
    },

    async save(actor: Actor, pack: EmergencyPack) {
      const staffId = mustBeStaff(actor);
      const { keyring: k } = await keyring();
      const sealed = seal(k, JSON.stringify(pack), aad(staffId));
      await inTransaction(db, async (trx) => {
        await repo.savePack(trx, staffId, sealed);
        // The trail records that the details changed, never what they are.
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'emergency_pack.save',
          entityType: 'staff',
          entityId: staffId,
          detail: { keyId: sealed.keyId },
        });
      });
    },

    /** The break-glass form: who the worker is and the open alerts the actor may open their details for. */
    async breakGlassContext(actor: Actor, workerId: number) {
      const worker = await repo.person(workerId);
      if (!worker) throw new NotFoundError('Person');
      const alerts = await openReasons(actor, workerId);
      if (!alerts.length)
        throw new ForbiddenError(
          'You can open someone’s emergency details only while you are responding to an open alarm or escalation about them',
        );
      return { worker: { id: worker.id, name: name(worker) }, alerts };
    },

    /**
     * Break-glass: a responder opens a worker's emergency information pack while an alarm or
     * escalation about that worker is open, giving a reason. Recorded in the worker's list of
     * views, the alert's timeline and the audit trail, in one transaction, before anything is
     * returned. Returns the decrypted pack (null if the worker has not filled it in).
     */
    async breakGlass(
      actor: Actor,
      workerId: number,
      request: BreakGlassRequest,
    ): Promise<{
      worker: { id: number; name: string };
      pack: EmergencyPack | null;
      updatedAt: Date | null;
      unreadable: boolean;
      alertId: string | null;
    }> {
      const worker = await repo.person(workerId);
      if (!worker) throw new NotFoundError('Person');
      if (actor.staffId === workerId)
        throw new ForbiddenError('These are your own details: open them from “Emergency details”');
      const reason = request.reason.trim();
      if (!reason)
        throw new ValidationError([{ field: 'reason', message: 'Enter why you need to open their emergency details' }]);
      let alertId: string | null = null;
      if (request.alertId !== undefined && request.alertId !== null && String(request.alertId) !== '') {
        alertId = String(request.alertId);
        const allowed = await openReasons(actor, workerId);
        if (!allowed.some((a) => String(a.id) === alertId)) {
          if (!allowed.length)
            throw new ForbiddenError(
              'You can open someone’s emergency details only while you are responding to an open alarm or escalation about them',
            );
          throw new ValidationError([{ field: 'alertId', message: 'Select an open alarm or escalation about them' }]);
        }
      } else if (request.purpleFileCallId) {
        if (!(await openPurpleFileCall(actor, workerId, request.purpleFileCallId)))
          throw new ForbiddenError(
            'You can open someone’s emergency details only while you are responding to an open alarm or escalation about them',
          );
      } else {
        throw new ValidationError([
          { field: 'alertId', message: 'Select the alarm or escalation you are responding to' },
        ]);
      }
      const { pack, updatedAt, unreadable } = await decrypt(workerId);
      await inTransaction(db, async (trx) => {
        await repo.recordView(trx, {
          staffId: workerId,
          viewerAccountId: actor.accountId,
          viewerStaffId: actor.staffId,
          viewerName: actor.displayName,
          alertId,
          reason,
        });
        if (alertId)
          await repo.note(
            trx,
            alertId,
            actor.staffId,
            `${actor.displayName} opened ${name(worker)}’s emergency details: ${reason}`,
          );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'emergency_pack.break_glass',
          entityType: 'staff',
          entityId: workerId,
          detail: { alertId, purpleFileCallId: request.purpleFileCallId ?? null, reason, exists: pack !== null },
        });
      });
      return { worker: { id: worker.id, name: name(worker) }, pack, updatedAt, unreadable, alertId };
    },

    /** Pack status (missing, out of date, current) of the people the actor manages. Never the contents. */
    async teamStatus(actor: Actor) {
      if (actor.staffId === null) return [];
      const reports = await staff.reports(actor.staffId);
      const at = now();
      return (await repo.teamStatus(reports.map((r) => r.id))).map((p) => ({
        ...p,
        name: name(p),
        problem: packProblem(p.updated_at, at),
      }));
    },

    /** The daily job: tell each line manager whose team member's pack is missing or over 12 months old (monthly at most). */
    async sendReminders() {
      const at = now();
      let missing = 0,
        stale = 0;
      for (const p of await repo.reminderCandidates()) {
        const problem = packProblem(p.updated_at, at);
        if (!problem || !reminderDue(p.last_reminded, at)) continue;
        const who = name(p);
        await inTransaction(db, (trx) =>
          repo.recordReminder(trx, {
            staffId: p.id,
            recipientId: p.line_manager_id!,
            kind: problem,
            at,
            link: '/emergency-pack/team',
            subject:
              problem === 'missing'
                ? `${who} has no emergency contact and medical details`
                : `${who}’s emergency contact and medical details are over 12 months old`,
            body:
              problem === 'missing'
                ? `${who} has not filled in their emergency contact and medical details (Appendix A). Please ask them to complete them in Harbour under “Emergency details”.`
                : `${who} last updated their emergency contact and medical details (Appendix A) more than 12 months ago. Please ask them to check and update them in Harbour.`,
          }),
        );
        if (problem === 'missing') missing++;
        else stale++;
      }
      return { missing, stale };
    },

    /** Re-encrypts every pack not sealed with the current key (after EMERGENCY_PACK_KEY changed). */
    async rotateKey(actor: Actor | null = null) {
      const { keyring: k } = await keyring();
      let reencrypted = 0;
      const unreadable: number[] = [];
      let after = 0;
      for (;;) {
        const rows = await repo.packsNotSealedWith(k.currentId, 100, after);
        if (!rows.length) break;
        for (const r of rows) {
          after = r.staff_id;
          let plain: string;
          try {
            plain = unseal(k, { keyId: r.key_id, ciphertext: r.ciphertext }, aad(r.staff_id));
          } catch {
            unreadable.push(r.staff_id);
            continue;
          }
          const sealed = seal(k, plain, aad(r.staff_id));
          await inTransaction(db, async (trx) => {
            if (await repo.reseal(trx, r.staff_id, r.ciphertext, sealed)) {
              reencrypted++;
              await audit.appendIn(trx, {
                ...actorFields(actor),
                ...(actor ? {} : { actorLabel: 'harbour emergency rotate-key' }),
                action: 'emergency_pack.rotate_key',
                entityType: 'staff',
                entityId: r.staff_id,
                detail: { from: r.key_id, to: sealed.keyId },
              });
            }
          });
        }
      }
      return { keyId: k.currentId, reencrypted, unreadable };
    },
    keyIdOf: (base64: string) => keyId(parseKey(base64)),
    /** Seals other small secrets (authenticator-app keys) with the same keyring. */
    secretBox: secretBox(async () => (await keyring()).keyring),
  };
}

export type EmergencyService = ReturnType<typeof buildEmergencyService>;
