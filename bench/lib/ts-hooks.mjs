// Lets Node 24 run the project's TypeScript in place: the sources import `./x.js` (tsconfig
// NodeNext), which does not exist beside `./x.ts`; this resolve hook falls back to the .ts file.
// Node itself strips the types (run with --experimental-transform-types: the sources use
// parameter properties, which plain type stripping refuses).
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !relative || !specifier.endsWith('.js')) throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
