import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      'dist/**',
      'bench/results/**',
      'src/dashboard/assets/vendor/**',
      '**/fixtures/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Domain code stays free of HTTP frameworks and database drivers (STYLE.md).
    files: ['src/conversations/**/*.ts', 'src/usage/**/*.ts'],
    ignores: [
      '**/*.test.ts',
      '**/*-store.ts',
      '**/*-routes.ts',
      '**/*-routes.tsx',
      '**/store/**',
      '**/routes/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['hono', 'hono/*', 'pg', 'kysely', '@electric-sql/*', 'undici', 'node:http'] },
      ],
    },
  },
)
