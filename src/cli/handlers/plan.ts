// `failover-drill plan`: loads the drill (bad input: exit 2, as validate) and prints its plan.
import type { Platform } from "../../drill/types.ts";
import { planDrill } from "../../plan/plan.ts";
import { renderPlan } from "../../plan/text.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";
import { loadDrillOrReport } from "./load-drill.ts";

export interface PlanArgs {
  file: string;
  platform?: Platform;
  json: boolean;
}

export async function handlePlan(args: PlanArgs, io: CliIo, setExit: (code: number) => void): Promise<void> {
  const drill = await loadDrillOrReport(args.file, args.platform, io);
  if (drill === undefined) {
    setExit(ExitCode.invalidInput);
    return;
  }
  const plan = await planDrill(drill);
  io.out(args.json ? JSON.stringify(plan, null, 2) : renderPlan(plan));
  setExit(ExitCode.ok);
}
