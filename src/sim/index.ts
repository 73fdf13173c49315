/** The simulated Kubernetes API server and scenario player used by the demo and the tests. */
export { startSimCluster, type SimCluster, type SimClusterOptions } from './cluster.ts';
export { SimFaults, type FailOptions, type PathPattern, type RequestRecord } from './faults.ts';
export { kubeconfigYaml, writeKubeconfig, type KubeconfigTarget } from './kubeconfig.ts';
export { ObjectStore, type Change, type ObjectRef, type ObjectStoreOptions } from './object-store.ts';
export { resourceTypes, type KubeObject, type ObjectMeta, type ResourceType } from './resources.ts';
export { StatusError, type Status } from './status.ts';
export { playScenario, type PlayedScenario, type PlayOptions } from './player.ts';
export {
  loadScenario,
  loadScenarios,
  parseScenario,
  ScenarioError,
  type Scenario,
  type ScenarioLog,
} from './scenario.ts';
export { type AuthorizationAttributes, type Authorizer } from './authorization.ts';
export { SimJobController, type JobControllerOptions } from './job-controller.ts';
export type { OutcomeChooser } from './job-kubelet.ts';
export type { Attempt, AttemptOutcome } from './job-pods.ts';
export { retryOfAnnotation, scenarioOutcomes } from './scenario-outcomes.ts';
