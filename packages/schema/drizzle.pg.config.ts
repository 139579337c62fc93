import { defineConfig } from 'drizzle-kit';

// PostgreSQL's migrations, from the twin table file; `drizzle.config.ts` is SQLite's.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg-tables.ts',
  out: './src/db/migrations-pg',
});
