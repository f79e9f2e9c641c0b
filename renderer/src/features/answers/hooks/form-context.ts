/**
 * The form's view of one profile body: the editor provides it over the unsaved draft (editable, with the
 * placed issues) or over an old version (read-only, no issues); every control reads its value and issues
 * through `useField(path)`.
 */
import { createContext, useContext } from 'react';
import { fieldId, type IssueMap, type PlacedIssue } from '../fields.ts';
import { getAt, pathKey, type Body, type Path } from '../form.ts';

export interface FormApi {
  body: Body;
  readOnly: boolean;
  issues: IssueMap;
  edit(path: Path, value: unknown): void;
}

export const NO_ISSUES: IssueMap = { byKey: new Map(), summary: [], perSection: {} };

export const FormContext = createContext<FormApi | null>(null);

export function useForm(): FormApi {
  const f = useContext(FormContext);
  if (!f) throw new Error('answer form control outside <FormContext.Provider>');
  return f;
}

export interface Field<T> {
  id: string;
  key: string;
  value: T | undefined;
  issues: PlacedIssue[];
  invalid: boolean;
  readOnly: boolean;
  set(value: unknown): void;
  /** The id of the field's issue list, for aria-describedby (undefined when there is none). */
  describedBy: string | undefined;
}

export function useField<T = unknown>(path: Path): Field<T> {
  const f = useForm();
  const key = pathKey(path);
  const id = fieldId(key);
  const issues = f.issues.byKey.get(key) ?? [];
  return {
    id,
    key,
    value: getAt(f.body, path) as T | undefined,
    issues,
    invalid: issues.some((i) => i.issue.severity === 'error'),
    readOnly: f.readOnly,
    set: (v) => f.edit(path, v),
    describedBy: issues.length ? `${id}-issues` : undefined,
  };
}
