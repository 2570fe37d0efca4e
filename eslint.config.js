// @ts-check
/**
 * ESLint for the TypeScript (oracle, scripts, tests). Type-aware typescript-eslint rules, import cycles refused,
 * library code kept from importing `scripts/`, and no unbounded array spread into a call (see `no-restricted-syntax`).
 */
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/**
 * A spread argument becomes one stack slot per element: `xs.push(...ys)` or `Math.max(...xs)` throws
 * "Maximum call stack size exceeded" once the array is large (~10^5 elements in V8), so it is refused where the
 * array's length is not bounded by the code itself. Loop, `concat`, or `reduce` instead.
 */
const UNBOUNDED_SPREAD =
  "spreading an array into a call passes one argument per element and overflows the stack on a large array; use a loop, concat or reduce";
const spreadIntoCall = (callee) => ({
  selector: `CallExpression[callee.type='MemberExpression']${callee} > SpreadElement`,
  message: UNBOUNDED_SPREAD,
});

/** Type-aware rules where they pay: the oracle node, the scripts and the app. Tests get the syntactic set (see below). */
const TYPE_CHECKED = ["oracle/src/**/*.ts", "scripts/**/*.ts", "app/src/**/*.{ts,tsx}"];

export default tseslint.config(
  { ignores: ["artifacts/", "cache/", "coverage/", "types/", "reports/", "node_modules/", "app/dist/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: TYPE_CHECKED,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `${value satisfies never}` in an exhaustive switch's error message is the point of `never`.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNever: true }],
    },
  },
  {
    // The demo narrates JSON answers from the nodes and the benches print them: untyped by nature.
    files: ["scripts/demo.ts", "scripts/demo/**/*.ts", "scripts/bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/restrict-template-expressions": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // Tests cast TypeChain contracts, fixtures and JSON answers on purpose; chai's `expect(x).to.be.true` is a statement.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-unused-expressions": "off" },
  },
  {
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      // Sources import `./x.js` for `./x.ts` (Node16 ESM); resolve them as TypeScript does.
      "import-x/resolver-next": [createNodeResolver({ extensionAlias: { ".js": [".ts", ".js"] } })],
    },
    rules: {
      "import-x/no-cycle": "error",
      "no-restricted-syntax": [
        "error",
        spreadIntoCall("[callee.property.name=/^(push|unshift|splice)$/]"),
        spreadIntoCall("[callee.object.name='Math'][callee.property.name=/^(max|min|hypot)$/]"),
        spreadIntoCall("[callee.object.name='String'][callee.property.name=/^fromC(har|ode)(Code|Point)$/]"),
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    files: ["oracle/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/scripts/**"],
              message: "library code never imports from scripts/ (STYLE.md): move the shared piece into oracle/src",
            },
          ],
        },
      ],
    },
  },
);
