/**
 * Splits a mount option string (`ro,config="/etc/a,b.cf",noauto`) the way
 * libmount does: commas separate options except inside double quotes, and
 * the quotes stay in the option. mount(8) passes quoted values to helpers
 * exactly as written on its command line, so `config="/etc/a b,c.cf"` must
 * reach us as one option.
 */

export interface MountOption {
  /** The text before the first `=` (the whole option when there is none). */
  readonly name: string
  /** The text after the first `=`, surrounding double quotes removed; undefined without `=`. */
  readonly value: string | undefined
  /** The option as written, for messages. */
  readonly raw: string
}

/** The options of `text`, empty items skipped (libmount leaves a trailing comma at times); an error on an unclosed quote. */
export function splitMountOptions (text: string): MountOption[] | { readonly error: string } {
  const items: string[] = []
  let item = ''
  let quoted = false
  for (const c of text) {
    if (c === '"') quoted = !quoted
    if (c === ',' && !quoted) {
      items.push(item)
      item = ''
    } else {
      item += c
    }
  }
  if (quoted) return { error: `unclosed double quote in options: ${text}` }
  items.push(item)
  return items.filter(i => i !== '').map(parseOption)
}

function parseOption (raw: string): MountOption {
  const eq = raw.indexOf('=')
  if (eq < 0) return { name: raw, value: undefined, raw }
  // Only the first `=` separates: a path such as /etc/a=b.cf keeps the rest.
  return { name: raw.slice(0, eq), value: unquote(raw.slice(eq + 1)), raw }
}

/** `"x"` → `x`; a value quoted only in part (`"a"b`) is left as written, as libmount leaves it. */
function unquote (value: string): string {
  const whole = value.length >= 2 && value.startsWith('"') && value.endsWith('"') && !value.slice(1, -1).includes('"')
  return whole ? value.slice(1, -1) : value
}
