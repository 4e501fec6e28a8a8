// The parts of the Engine API's Swarm objects pipeline reads and writes (plain JSON, as the API sends them).

export interface UpdatePolicy { Parallelism: number; Delay: number; FailureAction: 'pause' | 'continue' | 'rollback'; Monitor: number; MaxFailureRatio: number; Order: 'start-first' | 'stop-first' }

export interface ServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Labels?: Record<string, string>;
      Args?: string[];
      Env?: string[];
      Secrets?: { SecretID: string; SecretName: string; File: { Name: string; UID: string; GID: string; Mode: number } }[];
      StopGracePeriod?: number;
      [k: string]: unknown;
    };
    Resources?: { Limits?: { MemoryBytes?: number; NanoCPUs?: number; Pids?: number }; [k: string]: unknown };
    Placement?: { Constraints?: string[]; Preferences?: { Spread: { SpreadDescriptor: string } }[]; MaxReplicas?: number; [k: string]: unknown };
    Networks?: { Target: string; Aliases?: string[] }[];
    ForceUpdate?: number;
    [k: string]: unknown;
  };
  Mode: { Replicated: { Replicas: number } };
  UpdateConfig?: UpdatePolicy;
  RollbackConfig?: UpdatePolicy;
  EndpointSpec?: { Mode?: string; Ports?: { Protocol: 'tcp' | 'udp'; TargetPort: number; PublishedPort?: number; PublishMode: 'host' | 'ingress' }[] };
  [k: string]: unknown;
}

export type UpdateState = 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

export interface SwarmService {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: ServiceSpec;
  PreviousSpec?: ServiceSpec;
  UpdateStatus?: { State?: UpdateState; StartedAt?: string; CompletedAt?: string; Message?: string };
}

export interface SwarmTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt: string;
  UpdatedAt: string;
  DesiredState: string;
  Spec: { ContainerSpec: { Image: string; Labels?: Record<string, string> } };
  Status: {
    Timestamp: string;
    State: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: { Protocol: string; TargetPort: number; PublishedPort: number; PublishMode: string }[] };
  };
}

export interface SwarmNode { ID: string; Description?: { Hostname?: string }; Status: { State: string; Addr?: string }; Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> } }
