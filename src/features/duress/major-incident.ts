import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { maySee, relationTo } from '../visits/access.ts';
import { MAJOR_INCIDENT_CATEGORIES, type MajorIncidentCategory } from './rules.ts';
import type { CallAccess } from './call-access.ts';
import { fullName, notify, type DuressContext } from './shared.ts';

/** Major incidents (Appendix C): declared from an alert, a Purple File call, a lockdown or on their own. */
export function buildMajorIncident(ctx: DuressContext, access: CallAccess) {
  const { deps, repo } = ctx;
  const { staff, audit } = deps;
  const { mustRespond, loadCall } = access;

  /** The form's context: where it was declared from, checked against who may declare from it. */
  async function majorIncidentSource(
    actor: Actor,
    from: { alertId: string | null; callId: number | null; lockdownId: number | null },
  ) {
    if (from.alertId) {
      const detail = await deps.alerts.view(actor, from.alertId);
      if (detail.isWorker) throw new NotFoundError('Alert');
      return {
        alertId: from.alertId,
        callId: null,
        lockdownId: null,
        workerId: detail.alert.worker_id,
        label: `Alert about ${detail.alert.worker_name}`,
      };
    }
    if (from.callId) {
      mustRespond(actor);
      const c = await loadCall(from.callId);
      return {
        alertId: null,
        callId: c.id,
        lockdownId: null,
        workerId: c.worker_id,
        label: `Purple File call about ${fullName(c)}`,
      };
    }
    if (from.lockdownId) {
      // Whoever runs the lockdown (who started it, the building manager, a key holder) may declare from it too.
      const lockdown = await repo.lockdownSource(from.lockdownId, actor.staffId);
      if (!lockdown) throw new NotFoundError('Lockdown');
      if (!lockdown.runs && !can(actor, 'major_incidents.declare'))
        throw new ForbiddenError(
          'Only the people running the lockdown, managers, business support and duty staff can declare a major incident from it',
        );
      return {
        alertId: null,
        callId: null,
        lockdownId: from.lockdownId,
        workerId: null,
        label: `Lockdown at ${lockdown.building}`,
      };
    }
    if (!can(actor, 'major_incidents.declare'))
      throw new ForbiddenError('Only managers, business support and duty staff can declare a major incident');
    return { alertId: null, callId: null, lockdownId: null, workerId: null, label: null };
  }

  return {
    majorIncidentSource,

    /** Declares it and tells the assistant director and the line manager at once. */
    async declareMajorIncident(
      actor: Actor,
      form: {
        category: MajorIncidentCategory;
        summary: string | null;
        alertId: string | null;
        callId: number | null;
        lockdownId: number | null;
      },
    ) {
      const source = await majorIncidentSource(actor, form);
      // Whose assistant director and line manager: the worker's, or (for a building) the declarer's.
      const about = source.workerId ?? actor.staffId;
      const id = await repo.transaction(async (trx) => {
        const told: { staffId: number; role: string }[] = [];
        if (about !== null) {
          for (const role of ['assistant_director', 'line_manager'] as const) {
            for (const r of await repo.recipients(trx, about, role))
              if (!told.some((t) => t.staffId === r)) told.push({ staffId: r, role });
          }
        }
        const row = await repo.insertMajorIncident(trx, {
          category: form.category,
          summary: form.summary,
          alertId: source.alertId,
          lockdownId: source.lockdownId,
          callId: source.callId,
          workerId: source.workerId,
          declaredBy: actor.accountId,
          declaredByStaff: actor.staffId,
          notified: told,
        });
        const who = source.workerId ? await repo.staffName(trx, source.workerId) : null;
        const label = MAJOR_INCIDENT_CATEGORIES[form.category];
        await notify(
          ctx,
          trx,
          told.map((t) => t.staffId),
          `Harbour MAJOR INCIDENT: ${label}${who ? ` – ${fullName(who)}` : ''}`,
          `${actor.displayName} declared a major incident (${label})${who ? ` involving ${fullName(who)}` : ''}.${form.summary ? ` ${form.summary}` : ''} Media enquiries go to the communications team; staff must not speak to the media.`,
          `/major-incidents/${row.id}`,
        );
        if (source.callId) await repo.addEvent(trx, source.callId, actor.staffId, `Major incident declared: ${label}`);
        if (source.alertId) {
          const a = await repo.alertVisit(trx, source.alertId);
          await repo.addTimelineEvent(trx, {
            alert_id: source.alertId,
            visit_id: a?.visit_id ?? null,
            type: 'major_incident',
            actor_id: actor.staffId,
            text: `Major incident declared by ${actor.displayName}: ${label}`,
          });
        }
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'major_incident.declare',
          entityType: 'major_incident',
          entityId: row.id,
          detail: { category: form.category, told: told.map((t) => t.staffId) },
        });
        return row.id;
      });
      deps.onNotify?.();
      return id;
    },

    async majorIncident(actor: Actor, id: number) {
      const m = await repo.majorIncident(id);
      if (!m) throw new NotFoundError('Major incident');
      const notified = (m.notified ?? []) as { staffId: number; role: string }[];
      const allowed =
        m.declared_by === actor.accountId ||
        can(actor, 'major_incidents.declare') ||
        (actor.staffId !== null && notified.some((n) => n.staffId === actor.staffId)) ||
        (m.worker_id !== null && actor.staffId !== m.worker_id && maySee(await relationTo(staff, actor, m.worker_id)));
      if (!allowed)
        throw new ForbiddenError('Only the people told about this major incident, and managers, can see it');
      const people = notified.length ? await repo.contacts(notified.map((n) => n.staffId)) : [];
      return {
        incident: { ...m, categoryLabel: MAJOR_INCIDENT_CATEGORIES[m.category as MajorIncidentCategory] ?? m.category },
        told: notified.map((n) => ({
          ...n,
          person: people.find((p) => p.id === n.staffId) ?? null,
          roleLabel: n.role === 'assistant_director' ? 'Assistant director' : 'Line manager',
        })),
      };
    },

    async majorIncidents(actor: Actor) {
      if (!can(actor, 'major_incidents.declare'))
        throw new ForbiddenError('Only managers, business support and duty staff can see the list of major incidents');
      return repo.majorIncidents().then((rows) =>
        rows.map((r) => ({
          ...r,
          categoryLabel: MAJOR_INCIDENT_CATEGORIES[r.category as MajorIncidentCategory] ?? r.category,
        })),
      );
    },
  };
}
