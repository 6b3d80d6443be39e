// One value of a Prometheus text exposition.

/** The value on the line that starts with `line` (a metric name, with its labels if it has any); undefined when there is none. */
export function metric(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}
