import { describe, expect, it } from 'vitest';
import { answerProfileSchema } from './answer-profile.ts';
import { MissingVariableError, personalizeProfile, placeholdersIn, profilePlaceholders, substitute } from './substitute.ts';

const values = { hostname: 'web1', mac: '52:54:00:00:00:01', ip: '198.18.0.20', serial: 'SN1', asset: null, vars: { rack: 'r4', role: 'db' } };

describe('substitute', () => {
  it.each([
    ['the host name', 'echo {{hostname}} > /etc/hostname', 'echo web1 > /etc/hostname', []],
    ['spaces inside the braces and any case', '{{ HOSTNAME }}-{{ Var.Rack }}', 'web1-r4', []],
    ['every built-in', '{{mac}} {{ip}} {{serial}}', '52:54:00:00:00:01 198.18.0.20 SN1', []],
    ['a variable twice', '{{var.rack}}/{{var.rack}}', 'r4/r4', []],
    ['a variable without a value stays as written and is reported', 'x {{var.row}} {{asset}}', 'x {{var.row}} {{asset}}', ['var.row', 'asset']],
    ['other templates are left alone (cloud-init Jinja, Go)', '{{ v1.local_hostname }} {{.Name}} {{var.}} {{var.9x}}', '{{ v1.local_hostname }} {{.Name}} {{var.}} {{var.9x}}', []],
    ['a value is inserted verbatim, once (no second pass)', '{{var.a}}', '{{hostname}}', []],
  ])('%s', (_name, text, out, missing) => {
    const r = substitute(text, { ...values, vars: { ...values.vars, a: '{{hostname}}' } });
    expect(r.text).toBe(out);
    expect(r.missing).toEqual(missing);
  });

  it('lists placeholders once each, in order, lower case', () => {
    expect(placeholdersIn('{{var.Rack}} {{hostname}} {{var.rack}} {{foo}}')).toEqual(['var.rack', 'hostname']);
  });
});

describe('personalizeProfile', () => {
  const profile = answerProfileSchema.parse({ name: 'p', preScript: 'echo {{hostname}}', postScript: 'echo {{var.role}} > /etc/role' });

  it('fills in the scripts', () => {
    const p = personalizeProfile(profile, values);
    expect(p.preScript).toBe('echo web1');
    expect(p.postScript).toBe('echo db > /etc/role');
    expect(profilePlaceholders(profile)).toEqual(['hostname', 'var.role']);
  });

  it('switches to static networking for a machine with a fixed address in the plan', () => {
    expect(personalizeProfile(profile, values, { staticAddress: true }).network.mode).toBe('static');
    expect(personalizeProfile(profile, values).network.mode).toBe('dhcp');
  });

  it('returns the same object when nothing changes', () => {
    const plain = answerProfileSchema.parse({ name: 'q', postScript: 'true' });
    expect(personalizeProfile(plain, values)).toBe(plain);
  });

  it('refuses to leave a placeholder in a script', () => {
    expect(() => personalizeProfile(profile, { ...values, vars: {} })).toThrow(MissingVariableError);
    expect(() => personalizeProfile(profile, { ...values, vars: {} })).toThrow(/\{\{var\.role\}\}, which this machine has no value for/);
  });
});
