/** npm run admin:create -- --email E --password P [--role admin|staff] */
import '../load-env.js';
import '../private-files.js';
import { parseArgs } from 'node:util';
import { AuthService } from '../auth/auth-service.js';
import { LoginAttemptsRepository } from '../auth/login-attempts-repository.js';
import { UsersRepository } from '../auth/users-repository.js';
import { loadConfigOrExit } from '../config.js';
import { createDb, migrateLatest } from '../db/index.js';
import { ValidationError } from '../http/errors.js';

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    password: { type: 'string' },
    role: { type: 'string', default: 'admin' },
  },
});
if (!values.email || !values.password) {
  console.error('Usage: npm run admin:create -- --email E --password P [--role admin|staff]');
  process.exit(64);
}
const config = loadConfigOrExit();
const db = createDb(config);
try {
  await migrateLatest(db);
  const user = await new AuthService({
    users: new UsersRepository(db),
    attempts: new LoginAttemptsRepository(db),
  }).createUser(values);
  console.log(`Created ${user.role} ${user.email} (id ${user.id}).`);
} catch (err) {
  if (err instanceof ValidationError) {
    for (const [field, message] of Object.entries(err.fields)) console.error(`${field}: ${message}`);
    process.exitCode = 65;
  } else throw err;
} finally {
  await db.destroy();
}
