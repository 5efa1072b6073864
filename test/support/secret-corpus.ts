/**
 * Secrets as tools print them: one realistic instance of every kind the redaction must catch, each
 * in several contexts (JSON text, a shell command line, a URL, YAML, an env dump), and ordinary
 * text that must come out as it went in. The secret values are made here from a seeded generator,
 * never written out in the repository: realistic-looking keys in a tree trip secret scanners.
 *
 * `needles` are what must not appear in anything we write (for a private key, each line of its
 * body); `text` is the whole context as a tool would print it.
 */

/** A small deterministic generator (mulberry32): the same corpus on every run. */
class Chars {
  constructor(private state: number) {}
  private next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  of(alphabet: string, length: number): string {
    let s = '';
    while (s.length < length) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
  alnum(length: number): string {
    // At least one digit, one lower and one upper case letter, as real keys have.
    return `${this.of('0123456789', 1)}${this.of('abcdefghijklmnopqrstuvwxyz', 1)}${this.of('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1)}${this.of(ALNUM, length - 3)}`;
  }
  hex(length: number): string {
    return this.of('0123456789abcdef', length);
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64 = `${ALNUM}+/`;
const b64url = (text: string) => Buffer.from(text).toString('base64url');

export type Context = 'json' | 'shell' | 'url' | 'yaml' | 'env' | 'text';

export interface CorpusInstance {
  kind: string;
  context: Context;
  text: string;
  needles: string[];
}

export interface CorpusKind {
  kind: string;
  /** Where the collector's own rules catch it ('collector'), or only the post step's full rule set ('post step'). */
  caughtBy: 'collector' | 'post step';
  instances: CorpusInstance[];
}

function kind(name: string, caughtBy: CorpusKind['caughtBy'], needles: string[], contexts: Partial<Record<Context, string>>): CorpusKind {
  return { kind: name, caughtBy, instances: Object.entries(contexts).map(([context, text]) => ({ kind: name, context: context as Context, text: text!, needles })) };
}

/** A PKCS#8 key body as base64 lines of 64 (starts with MII, as a DER SEQUENCE does). */
function pemBody(c: Chars, lines: number): string[] {
  return Array.from({ length: lines }, (_, i) => (i === 0 ? 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' + c.of(BASE64, 32) : c.of(BASE64, 64)));
}

export function secretCorpus(seed = 0x5ec2e7): CorpusKind[] {
  const c = new Chars(seed);

  // --- the kinds that leaked before -----------------------------------------------------------
  const gcpBody = pemBody(c, 6);
  const gcpJson = JSON.stringify({
    type: 'service_account',
    project_id: 'demo-project-271828',
    private_key_id: c.hex(40),
    private_key: `-----BEGIN PRIVATE KEY-----\n${gcpBody.join('\n')}\n-----END PRIVATE KEY-----\n`,
    client_email: 'deployer@demo-project-271828.iam.gserviceaccount.com',
    client_id: '104238597213456789012',
  }, null, 2);

  const awsSecret = c.of(BASE64, 40);
  const dbPassword = c.alnum(20);
  const gitPassword = c.alnum(18);
  const jwt = `${b64url('{"alg":"RS256","typ":"JWT","kid":"k1"}')}.${b64url(`{"sub":"1234567890","name":"ci-bot","iat":1767225600,"exp":1767229200,"jti":"${c.hex(16)}"}`)}.${c.of(`${ALNUM}-_`, 86)}`;
  const npmToken = `npm_${c.alnum(36)}`;
  const slackHook = c.alnum(24);
  const slackHookUrl = `https://hooks.slack.com/services/T0${c.of('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 8)}/B0${c.of('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 9)}/${slackHook}`;
  const slackApp = `xapp-1-A0${c.of('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 9)}-${c.of('0123456789', 13)}-${c.hex(64)}`;
  const sasSig = encodeURIComponent(Buffer.from(c.hex(64), 'hex').toString('base64'));
  const sasUrl = `https://ciartifacts.blob.core.windows.net/builds/app.zip?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-31T23:59:59Z&st=2026-01-01T00:00:00Z&spr=https&sig=${sasSig}`;
  const azureSecret = `${c.of(ALNUM, 3)}8Q~${c.of(`${ALNUM}_~.-`, 33)}x`;
  const spacedPassword = `correct horse ${c.alnum(6)} battery staple`;
  const accessToken = c.alnum(32);
  const clientSecret = c.alnum(28);
  const apiKeyValue = c.alnum(30);

  // --- the kinds already covered ----------------------------------------------------------------
  const ghp = `ghp_${c.alnum(36)}`;
  const ghs = `ghs_${c.alnum(36)}`;
  const pat = `github_pat_11${c.of('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 20)}_${c.alnum(59)}`;
  const openai = `sk-proj-${c.of(`${ALNUM}-_`, 48)}`;
  const akia = `AKIA${c.of('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
  const bearer = c.of(`${ALNUM}-._~+/`, 40);
  const rsaBody = pemBody(c, 8);
  const rsaBlock = `-----BEGIN RSA PRIVATE KEY-----\n${rsaBody.join('\n')}\n-----END RSA PRIVATE KEY-----`;
  const slackBot = `xoxb-${c.of('0123456789', 12)}-${c.of('0123456789', 13)}-${c.alnum(24)}`;
  const password = c.alnum(16);

  // --- kinds only secretlint's rule set knows (the post step's second net) ------------------------
  const stripe = `sk_live_${c.alnum(40)}`;
  const gitlab = `glpat-${c.of(`${ALNUM}_-`, 20)}`;
  const shopify = `shpat_${c.hex(32)}`;

  return [
    kind('GCP service-account key file', 'collector', gcpBody, {
      json: gcpJson,
      shell: `cat > /tmp/sa.json <<'EOF'\n${gcpJson}\nEOF\ngcloud auth activate-service-account --key-file=/tmp/sa.json`,
      env: `GOOGLE_CREDENTIALS=${JSON.stringify(gcpJson)}`,
      yaml: `credentials_json: '${gcpJson.replaceAll('\n', ' ')}'`,
    }),
    kind('AWS secret access key', 'collector', [awsSecret], {
      shell: `aws configure set aws_secret_access_key ${awsSecret} --profile ci`,
      env: `AWS_ACCESS_KEY_ID=${akia}\nAWS_SECRET_ACCESS_KEY=${awsSecret}\nAWS_REGION=eu-west-1`,
      json: `{\n  "Credentials": {\n    "AccessKeyId": "${akia}",\n    "SecretAccessKey": "${awsSecret}",\n    "Expiration": "2026-11-23T21:33:55Z"\n  }\n}`,
      yaml: `aws:\n  secret_access_key: ${awsSecret}\n  region: eu-west-1`,
      text: `[default]\naws_secret_access_key = ${awsSecret}`,
    }),
    kind('credentials in a URL', 'collector', [dbPassword, gitPassword], {
      url: `postgres://app_user:${dbPassword}@db.internal.example:5432/app?sslmode=require`,
      shell: `psql "postgresql://app_user:${dbPassword}@db.internal.example/app" -c 'select 1' && git clone https://ci-bot:${gitPassword}@git.example.com/org/repo.git`,
      env: `DATABASE_URL=mysql://root:${dbPassword}@127.0.0.1:3306/test\nREDIS_URL=redis://:${gitPassword}@cache:6379/0`,
      json: `{"database": {"url": "mongodb+srv://svc:${dbPassword}@cluster0.example.mongodb.net/prod"}}`,
      yaml: `remote: https://ci-bot:${gitPassword}@git.example.com/org/repo.git`,
    }),
    kind('JSON Web Token', 'collector', [jwt.split('.')[1]!, jwt.split('.')[2]!], {
      text: `Logged in. Session ${jwt} expires in 3600s`,
      shell: `curl -s https://api.example.com/me -H "X-Session: ${jwt}"`,
      url: `https://app.example.com/callback#state=af0ifjsldkj&id=${jwt}`,
      json: `{"ok": true, "session": "${jwt}"}`,
    }),
    kind('npm token', 'collector', [npmToken], {
      text: `//registry.npmjs.org/:_authToken=${npmToken}`,
      shell: `echo ${npmToken} | npm login --registry https://registry.npmjs.org`,
      json: `{"registry": "https://registry.npmjs.org", "npm": "${npmToken}"}`,
      yaml: `npmAuth: ${npmToken}`,
    }),
    kind('Slack webhook URL', 'collector', [slackHook], {
      shell: `curl -X POST -H 'Content-type: application/json' --data '{"text":"deployed"}' ${slackHookUrl}`,
      json: `{"channel": "#deploys", "webhook": "${slackHookUrl}"}`,
      env: `SLACK_NOTIFY_URL=${slackHookUrl}`,
      url: slackHookUrl,
    }),
    kind('Slack app token', 'collector', [slackApp.slice(5)], {
      env: `SLACK_APP_LEVEL=${slackApp}`,
      shell: `bolt run --app ${slackApp}`,
      json: `{"app": "${slackApp}"}`,
    }),
    kind('Azure SAS signature', 'collector', [sasSig, decodeURIComponent(sasSig)], {
      url: sasUrl,
      shell: `azcopy copy ./dist '${sasUrl}' --recursive`,
      text: `BlobEndpoint=https://ciartifacts.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&srt=o&sp=r&sig=${sasSig}`,
      json: `{"uploadUrl": "${sasUrl}"}`,
    }),
    kind('Azure client secret', 'collector', [azureSecret], {
      shell: `az login --service-principal -u 00000000-1111-2222-3333-444444444444 -p ${azureSecret} --tenant 55555555-6666-7777-8888-999999999999`,
      json: `{\n  "appId": "00000000-1111-2222-3333-444444444444",\n  "displayName": "ci",\n  "password": "${azureSecret}",\n  "tenant": "55555555-6666-7777-8888-999999999999"\n}`,
      env: `AZURE_CLIENT_SECRET=${azureSecret}`,
      text: `Created the secret ${azureSecret} (expires 2027-11-23)`,
    }),
    kind('quoted password with spaces', 'collector', [spacedPassword.split(' ').slice(1).join(' ')], {
      yaml: `database:\n  user: app\n  password: "${spacedPassword}"`,
      json: `{"user": "app", "password": "${spacedPassword}"}`,
      shell: `mysql -u app --password "${spacedPassword}" -e 'show tables'`,
      env: `DB_PASSWORD='${spacedPassword}'`,
    }),
    kind('camelCase key names', 'collector', [accessToken, clientSecret, apiKeyValue], {
      json: `{"accessToken": "${accessToken}", "tokenType": "Bearer", "clientSecret": "${clientSecret}", "apiKey": "${apiKeyValue}"}`,
      text: `const accessToken = '${accessToken}';\nconst clientSecret = "${clientSecret}";\nconst apiKey = \`${apiKeyValue}\`;`,
      yaml: `oauth:\n  accessToken: ${accessToken}\n  clientSecret: ${clientSecret}\n  apiKey: ${apiKeyValue}`,
      url: `https://api.example.com/v2/items?accessToken=${accessToken}&clientSecret=${clientSecret}&apiKey=${apiKeyValue}`,
    }),
    kind('GitHub tokens', 'collector', [ghp, ghs, pat], {
      env: `GITHUB_TOKEN=${ghs}\nGH_PAT=${pat}`,
      shell: `git push https://${ghp}@github.com/o/r.git && echo ${pat} | gh auth login --with-token`,
      json: `{"token": "${ghs}", "note": "found ${ghp}"}`,
      url: `https://x-access-token:${ghs}@github.com/o/r.git`,
    }),
    kind('OpenAI key', 'collector', [openai], {
      env: `OPENAI_API_KEY=${openai}`,
      shell: `codex login --api-key ${openai}`,
      json: `{"openai": {"key": "${openai}"}}`,
      yaml: `openai: ${openai}`,
    }),
    kind('AWS access key id', 'collector', [akia], {
      shell: `aws configure set aws_access_key_id ${akia}`,
      json: `{"AccessKeyId": "${akia}"}`,
      text: `found ${akia} in .env`,
    }),
    kind('bearer token', 'collector', [bearer], {
      shell: `curl -H "Authorization: Bearer ${bearer}" https://api.example.com/v1`,
      json: `{"headers": {"Authorization": "Bearer ${bearer}"}}`,
      yaml: `headers:\n  Authorization: Bearer ${bearer}`,
    }),
    kind('private key block', 'collector', rsaBody, {
      text: rsaBlock,
      shell: `cat ~/.ssh/deploy_key\n${rsaBlock}`,
      json: JSON.stringify({ key: rsaBlock }),
      yaml: `ssh_key: |\n  ${rsaBlock.replaceAll('\n', '\n  ')}`,
    }),
    kind('Slack bot token', 'collector', [slackBot], {
      env: `SLACK_BOT=${slackBot}`,
      shell: `curl -H "X-Slack: ${slackBot}" https://slack.com/api/chat.postMessage`,
      json: `{"bot": "${slackBot}"}`,
    }),
    kind('password= values', 'collector', [password], {
      shell: `mysql -u root password=${password}`,
      env: `PASSWORD=${password}`,
      url: `https://legacy.example.com/login?user=ci&password=${password}`,
      yaml: `password: ${password}`,
      json: `{"password": "${password}"}`,
    }),
    kind('Stripe, GitLab and Shopify keys (secretlint only)', 'post step', [stripe, gitlab, shopify], {
      text: `billing ${stripe} gitlab ${gitlab} shop ${shopify}`,
      json: `{"billing": "${stripe}", "gitlab": "${gitlab}", "shop": "${shopify}"}`,
    }),
  ];
}

/** Every instance of every kind. */
export function corpusInstances(seed?: number): CorpusInstance[] {
  return secretCorpus(seed).flatMap((k) => k.instances);
}

/** Ordinary text with secret-ish words: it must come out exactly as it went in. */
export const ORDINARY_TEXT: string[] = [
  'Chunk ID: d2739d\nWall time: 0.5237 seconds\nProcess exited with code 0\nOriginal token count: 108\nOutput:',
  'key=true',
  'FEATURE_KEY=true and cache_key: 0',
  'token_type=input max_tokens=100 token counting matters',
  'commit 3f9a1c2e7b4d5a6f8091a2b3c4d5e6f708192a3b (HEAD -> main)',
  'run 0b9d7e2c-4f1a-4c3b-9e8d-7a6b5c4d3e2f finished',
  'src/finish/runtime-log/secret-scan.ts:42: export function secretKeyName(key: string) {',
  '/home/runner/work/octo-repo/octo-repo/src/auth/password-reset.ts',
  'https://github.com/octo-org/octo-repo/pull/12 and http://localhost:8080/health',
  'signature verified; the password reset link was sent; Authorization required',
  'npm test -- --run test/collector.test.ts',
  '  ✓ test/redact.test.ts (18 tests) 2412ms',
  'export PATH="$HOME/.local/bin:$PATH"; echo $GITHUB_TOKEN | wc -c',
  'token: ${{ secrets.GITHUB_TOKEN }}',
  'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
];
