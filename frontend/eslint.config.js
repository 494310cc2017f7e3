// ESLint for the web app: the Vue and TypeScript recommended configs, nothing
// more. Exclusions below each say why.
import pluginVue from 'eslint-plugin-vue'
import { defineConfigWithVueTs, vueTsConfigs } from '@vue/eslint-config-typescript'

export default defineConfigWithVueTs(
  {
    // Build output, generated declarations and the test artifacts are not source.
    ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'auto-imports.d.ts', 'components.d.ts'],
  },
  pluginVue.configs['flat/recommended'],
  vueTsConfigs.recommended,
  {
    rules: {
      // Formatting is not linted (no formatter is enforced in this repository); these
      // recommended-config rules only restate layout choices.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
      // Route views are single words by design (Login, Dashboard…), named by their route.
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // Unit tests define small stub components inline next to the one under test.
    files: ['tests/**/*.ts'],
    rules: { 'vue/one-component-per-file': 'off' },
  },
  {
    // The e2e suite and build scripts run in Node, plain ES modules.
    files: ['e2e/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
)
