// limit_data: passes at most `bytes` bytes on this link and direction, then closes the connection.
// The count lives in the link's state, so updating the toxic does not restart it.
import type { Chunk, StageContext, ToxicAttributes, ToxicKind } from "./kind.ts";
import { Stage } from "./stage.ts";

interface LimitDataState {
  transmitted?: number;
}

class LimitDataStage extends Stage {
  constructor(
    private bytes: number,
    context: StageContext,
  ) {
    super(context);
  }

  private get state(): LimitDataState {
    return this.context.state as LimitDataState;
  }

  write(chunk: Chunk): void {
    if (this.closed) return this.discard(chunk);
    const transmitted = this.state.transmitted ?? 0;
    const remaining = Math.max(0, this.bytes - transmitted);
    let data = chunk.data;
    if (remaining < data.length) {
      this.context.output.drop(data.length - remaining);
      data = data.subarray(0, remaining);
    }
    if (data.length > 0) {
      this.state.transmitted = transmitted + data.length;
      this.emit({ data, time: chunk.time });
    }
    if (this.bytes - (this.state.transmitted ?? 0) <= 0) this.close();
  }

  update(attributes: ToxicAttributes): void {
    this.bytes = attributes["bytes"] ?? 0;
  }
}

export const limitData: ToxicKind = {
  type: "limit_data",
  attributes: ["bytes"],
  createStage: (attributes, context) => new LimitDataStage(attributes["bytes"] ?? 0, context),
};
