import http from 'node:http';
import { CONTROL_HEADER } from './collector-config.js';

/**
 * A small control request to our collector (shutdown, health), with the control secret
 * (node:http: cheaper to load than fetch). The telemetry secret is refused on these paths.
 */
export function collectorRequest(port: number, method: 'GET' | 'POST', path: string, controlSecret: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { [CONTROL_HEADER]: controlSecret, 'content-length': '0' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from the collector within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The pid the collector reports about itself, or undefined when it does not answer as ours. */
export async function collectorPid(port: number, path: string, method: 'GET' | 'POST', controlSecret: string, timeoutMs: number): Promise<number | undefined> {
  const { status, body } = await collectorRequest(port, method, path, controlSecret, timeoutMs);
  if (status !== 200) return undefined;
  try {
    const pid = (JSON.parse(body) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}
