/**
 * A build failure that is the user's to fix (missing input, bad `--map`,
 * unwritable output). The CLI prints its message without a stack trace and
 * exits 1; other errors are bugs and keep their stack.
 *
 * @example
 * ```ts
 * throw new BuildError('input path "nope/" does not exist')
 * ```
 */
export class BuildError extends Error {
  override name = 'BuildError'
}
