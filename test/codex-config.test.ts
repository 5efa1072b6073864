import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { buildCodexConfig, CODEX_ACTION_PROVIDER, otelTable, type OtelSettings } from '../src/harness/codex/config.js';

const settings: OtelSettings = {
  endpoint: 'http://127.0.0.1:43123',
  secret: 's3cr3t-value',
  protocol: 'binary',
  environment: 'ci',
  logUserPrompt: false,
  includeSpans: false,
};

/** What openai/codex-action does to an existing config.toml before it runs Codex. */
function codexActionEdit(toml: string): string {
  return `model_provider = "${CODEX_ACTION_PROVIDER}"\n${toml}\n[model_providers.${CODEX_ACTION_PROVIDER}]\nname = "Codex Action Responses Proxy"\nbase_url = "http://127.0.0.1:9999/v1"\nwire_api = "responses"\n`;
}

describe('the [otel] table', () => {
  it('sets all three exporters as Codex expects them, with full paths and the secret header', () => {
    expect(otelTable(settings)).toEqual({
      environment: 'ci',
      log_user_prompt: false,
      log_sse_deltas: false,
      exporter: { 'otlp-http': { endpoint: 'http://127.0.0.1:43123/v1/logs', protocol: 'binary', headers: { 'x-beacon-secret': 's3cr3t-value' } } },
      metrics_exporter: { 'otlp-http': { endpoint: 'http://127.0.0.1:43123/v1/metrics', protocol: 'binary', headers: { 'x-beacon-secret': 's3cr3t-value' } } },
      trace_exporter: 'none',
    });
  });

  it('turns off the per-delta codex.sse_event records, as a root key of [otel] in the written TOML', () => {
    const toml = buildCodexConfig([{ name: 'user', text: '[otel]\nlog_sse_deltas = true\n' }], settings).toml;
    const otelSection = toml.slice(toml.indexOf('[otel]\n'), toml.indexOf('[otel.exporter'));
    expect(otelSection).toContain('log_sse_deltas = false\n');
    expect((parse(toml) as Record<string, any>).otel.log_sse_deltas).toBe(false);
  });

  it('exports spans only when asked, in the chosen protocol', () => {
    const table = otelTable({ ...settings, includeSpans: true, protocol: 'json', logUserPrompt: true });
    expect(table.trace_exporter).toEqual({ 'otlp-http': { endpoint: 'http://127.0.0.1:43123/v1/traces', protocol: 'json', headers: { 'x-beacon-secret': 's3cr3t-value' } } });
    expect(table.log_user_prompt).toBe(true);
  });
});

describe('building config.toml', () => {
  it('writes only [otel] when there is nothing to merge, and no model_provider', () => {
    const merged = buildCodexConfig([], settings);
    const parsed = parse(merged.toml);
    expect(Object.keys(parsed)).toEqual(['otel']);
    expect(merged.toml).not.toContain('model_provider');
    expect(merged.warnings).toEqual([]);
  });

  it('still parses and keeps our [otel] after codex-action prepends model_provider and appends its provider table', () => {
    const merged = buildCodexConfig([{ name: 'user', text: 'model = "gpt-5.5"\n[model_providers.fake]\nname = "Fake"\nbase_url = "http://127.0.0.1:1/v1"\n' }], settings);
    const edited = parse(codexActionEdit(merged.toml)) as Record<string, any>;
    expect(edited.model_provider).toBe(CODEX_ACTION_PROVIDER);
    expect(edited.model).toBe('gpt-5.5');
    expect(Object.keys(edited.model_providers)).toEqual(['fake', CODEX_ACTION_PROVIDER]);
    expect(edited.otel).toEqual(otelTable(settings));
  });

  it('keeps every user setting and replaces an existing [otel] (including log_user_prompt)', () => {
    const user = [
      'model = "o4"',
      'approval_policy = "never"',
      '[sandbox_workspace_write]',
      'network_access = true',
      '[otel]',
      'log_user_prompt = true',
      'environment = "dev"',
      'exporter = { otlp-http = { endpoint = "https://elsewhere.example/v1/logs", protocol = "json" } }',
      '[mcp_servers.docs]',
      'command = "docs-server"',
      'args = ["--port", "1"]',
    ].join('\n');
    const merged = buildCodexConfig([{ name: 'codex-config', text: user }], settings);
    const parsed = parse(merged.toml) as Record<string, any>;
    expect(parsed.model).toBe('o4');
    expect(parsed.approval_policy).toBe('never');
    expect(parsed.sandbox_workspace_write).toEqual({ network_access: true });
    expect(parsed.mcp_servers).toEqual({ docs: { command: 'docs-server', args: ['--port', '1'] } });
    expect(parsed.otel).toEqual(otelTable(settings));
    expect(merged.notices).toHaveLength(1);
    expect(merged.notices[0]).toContain('[otel]');
  });

  it('layers codex-config over an existing CODEX_HOME config', () => {
    const merged = buildCodexConfig(
      [
        { name: 'home', text: 'model = "a"\n[tools]\nweb_search = true\nview_image = false\n' },
        { name: 'codex-config', text: 'model = "b"\n[tools]\nview_image = true\n' },
      ],
      settings,
    );
    const parsed = parse(merged.toml) as Record<string, any>;
    expect(parsed.model).toBe('b');
    expect(parsed.tools).toEqual({ web_search: true, view_image: true });
  });

  it('warns when the merged config sets model_provider, saying why', () => {
    const merged = buildCodexConfig([{ name: 'user', text: 'model_provider = "azure"\n' }], settings);
    expect(merged.warnings).toHaveLength(1);
    expect(merged.warnings[0]).toContain('model_provider = "azure"');
    expect(merged.warnings[0]).toContain('duplicate key');
  });

  it("drops codex-action's own provider table left from an earlier run, so a second run does not fail", () => {
    const leftover = codexActionEdit(buildCodexConfig([], settings).toml).replace(/^model_provider = .*\n/, '');
    const merged = buildCodexConfig([{ name: 'home', text: leftover }], settings);
    expect(merged.toml).not.toContain(CODEX_ACTION_PROVIDER);
    expect(() => parse(codexActionEdit(merged.toml))).not.toThrow();
    expect(merged.notices.some((n) => n.includes(CODEX_ACTION_PROVIDER))).toBe(true);
  });

  it('reports legacy [profiles] tables, which Codex 0.169 rejects', () => {
    const merged = buildCodexConfig([{ name: 'user', text: 'profile = "fast"\n[profiles.fast]\nmodel = "x"\n' }], settings);
    expect(merged.warnings).toHaveLength(1);
    expect(merged.warnings[0]).toContain('[profiles]');
  });

  it('names the source that is not valid TOML', () => {
    expect(() => buildCodexConfig([{ name: 'the existing /x/config.toml', text: 'model = ' }], settings)).toThrow(/the existing \/x\/config.toml is not valid TOML/);
  });
});
