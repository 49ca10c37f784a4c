import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/**', 'charts/**', 'dist/**', 'node_modules/**', '.tools/**', 'scratch/**', 'validators/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Go template text belongs to the engine: components must not spell it.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Literal[value=/\\{\\{.*(\\.Values|\\.Release|toYaml|toJson|nindent)/]',
          message: 'Helm template syntax belongs in src/helm/ (use the engine helpers).',
        },
        {
          selector: 'TemplateElement[value.raw=/\\{\\{.*(\\.Values|\\.Release|toYaml|toJson|nindent)/]',
          message: 'Helm template syntax belongs in src/helm/ (use the engine helpers).',
        },
      ],
    },
  },
  {
    files: ['src/helm/**', 'test/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'scripts/**/*.js'],
    languageOptions: { globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
