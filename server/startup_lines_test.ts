import assert from "node:assert/strict";
import { startupLines } from "./startup_lines.ts";

Deno.test("serve's start-up lines name the dashboard first, the gateway when there is one, MLflow and the lab command", () => {
  const without = startupLines({
    dashboard: "http://127.0.0.1:8000/",
    mlflow: "http://127.0.0.1:5000",
    mlflowExperiment: "http://127.0.0.1:5000/#/experiments/7",
    experiment: "llm-monitoring",
  });
  assert.deepEqual(without, [
    "dashboard: http://127.0.0.1:8000/",
    "mlflow:    http://127.0.0.1:5000/#/experiments/7 (experiment llm-monitoring)",
    "notebooks: deno task lab (JupyterLab with the Deno kernel on notebooks/)",
  ]);
  const withGateway = startupLines({
    dashboard: "http://127.0.0.1:8000/",
    gateway: "http://127.0.0.1:11435/",
    mlflow: "http://127.0.0.1:5000",
  });
  assert.equal(withGateway.length, 4);
  assert.match(withGateway[1], /^gateway: {3}http:\/\/127\.0\.0\.1:11435\/ /);
  assert.equal(withGateway[2], "mlflow:    http://127.0.0.1:5000");
  assert.throws(() => startupLines({ dashboard: "", mlflow: "x" }), TypeError);
});
