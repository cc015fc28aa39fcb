// Warnings: a result that is right but deserves attention (a fallback, a missing class, an unfinished run). One line
// on stderr, `chanlab: warning: …`, each distinct message once per process.
const said = new Set<string>();

export function warnOnce(message: string): void {
  if (said.has(message)) return;
  said.add(message);
  process.stderr.write(`chanlab: warning: ${message}\n`);
}
