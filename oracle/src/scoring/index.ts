export { createScorer, featureValidator, type ApplicationScore, type ApplicationScorer } from "./scorer.js";
