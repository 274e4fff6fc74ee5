// `functiongraph-client/inline` exports exactly what the main entry does.
export * from "./index.js";
