// SCTP ops of the agent, delegated to the raw-socket SCTP peer in ./sctp/peer.ts. Loaded
// at run time so the agent serves every other op where the peer is missing.
import type { SctpClientArgs, SctpServerArgs, ServerResult } from './protocol.js';

type Emit = (event: string, fields: Record<string, unknown>) => void;

const PEER_MODULE = new URL('./sctp/peer.js', import.meta.url).href;

export class SctpOps {
  constructor(
    private readonly name: string,
    private readonly emit: Emit,
  ) {}

  private async peerModule(): Promise<Record<string, unknown>> {
    try {
      return (await import(PEER_MODULE)) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`the SCTP peer (netns/agent/sctp/peer.ts) is not available: ${(err as Error).message}`);
    }
  }

  async server(args: SctpServerArgs): Promise<ServerResult> {
    await this.peerModule();
    void args;
    throw new Error('sctp-server: the SCTP peer is not integrated yet');
  }

  async client(args: SctpClientArgs): Promise<unknown> {
    await this.peerModule();
    void args;
    throw new Error('sctp-client: the SCTP peer is not integrated yet');
  }

  async status(): Promise<unknown> {
    void this.name;
    void this.emit;
    return { associations: [] };
  }

  async stopServer(serverId: string): Promise<void> {
    void serverId;
  }

  async closeAll(): Promise<void> {}
}
