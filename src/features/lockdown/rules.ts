/** Seed 001 §5, Building Lockdown Process: what everyone in the building does, by where the incident is. */
export const LOCATIONS = { inside: 'Incident inside the building', outside: 'Incident outside the building' } as const;
export type LockdownLocation = keyof typeof LOCATIONS;

export const STEPS: Record<LockdownLocation, string[]> = {
  outside: [
    'Key holders lock the external doors now.',
    'Call the police on 999. Give them as much information as you can: description or name of the aggressor, type of behaviour, and whether they are armed.',
    'Keep visitors safe inside the building and, where possible, continue normal services.',
    'Do not leave the building to challenge the person.',
    'Wait for the police to give the all clear before unlocking doors. If the police cannot attend quickly, stay inside and keep updating 999.',
  ],
  inside: [
    'Move staff and service users to the agreed safe place.',
    'Call the police on 999. Give them as much information as you can: description or name of the aggressor, type of behaviour, and whether they are armed.',
    'Stay calm. Block entry through internal doors where you can, and know your alternative exit (fire exit, other doors or windows).',
    'Do not challenge or approach the person unless you can clearly judge it is safe to do so.',
    'Wait for the police to give the all clear.',
  ],
};

/** For every lockdown (§5 "For all incidents"). */
export const ALWAYS = [
  'Everyone must know the lines of responsibility and the numbers in the building’s incident response template (Appendix K).',
  'Decide whether staff or the police should inform parents, where this applies.',
  'Inform senior managers, including the relevant assistant director (Appendix C).',
];

/** The alert sent to each person in the building: short enough for a text message, with the first steps. */
export function alertText(
  building: string,
  location: LockdownLocation,
  details: string | null,
): { subject: string; body: string } {
  const where = location === 'inside' ? 'inside' : 'outside';
  return {
    subject: `LOCKDOWN at ${building}: incident ${where} the building`,
    body: `Dynamic Lock Down at ${building} (incident ${where} the building).${details ? ` ${details}.` : ''} ${STEPS[location].slice(0, 4).join(' ')} Open Harbour to acknowledge.`,
  };
}

/** Why someone may give the all clear (§5: "Wait for Police to give an all clear"). */
export type EndedAs = 'runner' | 'building_manager' | 'key_holder' | 'remote_senior';
export const ENDED_AS: Record<EndedAs, string> = {
  runner: 'the person running the lockdown',
  building_manager: 'the building manager',
  key_holder: 'a key holder present',
  remote_senior: 'a senior manager not in the building',
};

/**
 * Who may end a lockdown: the person who started it, the building manager, or a key holder who is in
 * the building; a service manager or assistant director elsewhere only with a recorded reason.
 * Everyone else: null.
 */
export function allClearAs(who: {
  runner: boolean;
  buildingManager: boolean;
  keyHolderPresent: boolean;
  senior: boolean;
}): EndedAs | null {
  if (who.runner) return 'runner';
  if (who.buildingManager) return 'building_manager';
  if (who.keyHolderPresent) return 'key_holder';
  if (who.senior) return 'remote_senior';
  return null;
}

/** Problems with an all clear: the police's all clear where they attended; a reason from afar. */
export function allClearProblems(
  as: EndedAs,
  form: { policeAttended: 'yes' | 'no'; policeAllClear: boolean; reason: string | null },
): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  if (form.policeAttended === 'yes' && !form.policeAllClear) {
    errors.push({
      field: 'policeAllClear',
      message: 'The police attended: confirm they have given the all clear before you end the lockdown',
    });
  }
  if (as === 'remote_senior' && (!form.reason || form.reason.length < 10)) {
    errors.push({
      field: 'reason',
      message:
        'You are not in the building: enter why you are ending the lockdown from elsewhere (at least 10 characters)',
    });
  }
  return errors;
}
