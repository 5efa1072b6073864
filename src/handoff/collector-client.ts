import http from 'node:http';
import { SECRET_HEADER } from './collector-config.js';

/** A small authenticated request to our collector (node:http: cheaper to load than fetch). */
export function collectorRequest(port: number, method: 'GET' | 'POST', path: string, secret: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { [SECRET_HEADER]: secret, 'content-length': '0' }, timeout: timeoutMs }, (res) => {
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
export async function collectorPid(port: number, path: string, method: 'GET' | 'POST', secret: string, timeoutMs: number): Promise<number | undefined> {
  const { status, body } = await collectorRequest(port, method, path, secret, timeoutMs);
  if (status !== 200) return undefined;
  try {
    const pid = (JSON.parse(body) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}
