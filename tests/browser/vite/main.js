// Bundled by Vite: "functiongraph-client" resolves through the package's `exports`
// ("browser" condition → browser.js, which instantiates the wasm with top-level await).
import * as lib from "functiongraph-client";
import { runSuite } from "../suite.js";
import "../style.css";

runSuite(lib, { label: "Vite bundle" });
