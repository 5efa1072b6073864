import { maskedPartsOfHeader } from '../forward/endpoint.js';
import { MIN_MASKED_LENGTH } from './redact.js';

/**
 * The run's own secret values, masked wherever they appear in what we write, whatever their shape
 * (redact.ts, `setMaskedValues`), as the runner masks registered secrets in the job log: the values
 * of the environment variables the start step sees whose names say secret, and the forward headers.
 * The start step hands them to the collector and the post step in the collector's 0600 config file.
 */

// A part of the name (split at `_`, `-`, `.`) that says secret: OPENAI_API_KEY, GITHUB_TOKEN,
// DB_PASSWORD, NPMTOKEN, AZURE_CLIENT_SECRET, SSH_PRIVATE_KEY, ACTIONS_RUNTIME_TOKEN...
const SECRET_PART = /^(?:[A-Z0-9]*(?:TOKEN|SECRET|PASSWORD|PASSWD|APIKEY|CREDENTIALS?|PASSPHRASE)|KEY|PASS|PWD|AUTH|PRIVATE|SIGNATURE|COOKIE|SAS|PAT|SESSION|CERT)$/i;
// ...unless the name says the value is where the secret is, not the secret (SSH_AUTH_SOCK,
// GOOGLE_APPLICATION_CREDENTIALS_FILE, ACTIONS_ID_TOKEN_REQUEST_URL, KEY_PATH).
const NOT_THE_SECRET = /^(?:URL|URI|ENDPOINT|PATH|FILE|DIR|HOME|SOCK|NAME|TYPE|MODE|ENABLED|DISABLED|VERSION|HOST|PORT|REGION)$/i;
const NOT_SECRET_VALUE = /^(?:true|false|null|none|undefined|yes|no|on|off|\d+)$/i;

/** At most this many values, each cut at this length: the masking pattern stays small. */
const MAX_VALUES = 256;
const MAX_VALUE_LENGTH = 4096;

export function isSecretEnvName(name: string): boolean {
  const parts = name.split(/[_\-.]+/).filter(Boolean);
  if (parts.length === 0 || NOT_THE_SECRET.test(parts[parts.length - 1]!)) return false;
  return parts.some((part) => SECRET_PART.test(part));
}

/** The values to mask: secret-named variables' values (and their lines), header values and their credential parts. */
export function secretValuesOf(env: NodeJS.ProcessEnv, headers: Record<string, string> = {}): string[] {
  const values = new Set<string>();
  const add = (value: string) => {
    const v = value.trim();
    if (v.length >= MIN_MASKED_LENGTH && v.length <= MAX_VALUE_LENGTH && !NOT_SECRET_VALUE.test(v)) values.add(v);
  };
  for (const [name, value] of Object.entries(env)) {
    if (!value || !isSecretEnvName(name)) continue;
    add(value);
    // A multi-line secret (a key file in a variable) is also masked line by line, as the runner does.
    if (value.includes('\n')) for (const line of value.split(/\r?\n/)) add(line);
  }
  // `Bearer <token>`: the credential alone too, as the step log masks it.
  for (const value of Object.values(headers)) for (const part of maskedPartsOfHeader(value)) add(part);
  return [...values].slice(0, MAX_VALUES);
}
