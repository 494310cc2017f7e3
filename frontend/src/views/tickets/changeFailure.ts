// How the ticket page's dialogs report a failed change to the page: the page
// turns a version conflict into its "changed by someone else — reload" bar
// and other errors into a message; the dialog gets the field errors back,
// and closes on a conflict.
export interface ChangeFailure {
  /** Field errors by API field name. */
  fields: Record<string, string>
  /** The ticket moved meanwhile (the dialog closes; the page offers a reload). */
  conflict: boolean
}

export type FailureHandler = (err: unknown, fields?: string[]) => ChangeFailure
