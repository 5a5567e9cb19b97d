/** The object and the control plane disagree (map layouts, table sizes): a build of one
 *  without the other, not a kernel refusal. */
export class ObjectMismatchError extends Error {
  override name = 'ObjectMismatchError';
}
