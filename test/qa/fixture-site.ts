// Tests use the shipped fixture site (src/qa/fixture-site.ts); this re-export keeps test
// imports short and the fixture in one place.
export * from "../../src/qa/fixture-site.js";
