// Packages the packaged app leaves out (electron-builder.yml `files`), made unresolvable, as they are
// in the app: QUIRE_EXCLUDED_PACKAGES=a,b makes importing `a` or `a/...` fail in every thread.
import { register } from 'node:module';

const excluded = (process.env.QUIRE_EXCLUDED_PACKAGES ?? '').split(',').filter(Boolean);
if (excluded.length > 0) {
  register(
    'data:text/javascript,' +
      encodeURIComponent(`
const excluded = ${JSON.stringify(excluded)};
export async function resolve(specifier, context, next) {
  if (excluded.some((name) => specifier === name || specifier.startsWith(name + '/'))) {
    throw Object.assign(new Error('Cannot find package ' + specifier + ' (left out of the packaged app)'), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}`),
  );
}
