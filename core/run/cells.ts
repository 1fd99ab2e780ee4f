/** The shape of a run's matrix: case × model × repeat, enumerated case-major. */
export type MatrixDims = { caseCount: number; models: readonly string[]; repeat: number };

export type CellRef = { index: number; key: string; caseIndex: number; model: string; repeat: number };

export function cellCount(dims: MatrixDims): number {
  return dims.caseCount * dims.models.length * dims.repeat;
}

export function cellKey(caseIndex: number, model: string, repeat: number): string {
  return `${caseIndex}/${model}/${repeat}`;
}

/** The cell at a position of the matrix, without building the matrix: O(1) for any suite size. */
export function cellAt(index: number, dims: MatrixDims): CellRef {
  const perCase = dims.models.length * dims.repeat;
  const caseIndex = Math.floor(index / perCase);
  const modelIndex = Math.floor((index % perCase) / dims.repeat);
  const repeat = index % dims.repeat;
  const model = dims.models[modelIndex] as string;
  return { index, key: cellKey(caseIndex, model, repeat), caseIndex, model, repeat };
}

export function cellsInRange(start: number, end: number, dims: MatrixDims): CellRef[] {
  const cells: CellRef[] = [];
  for (let index = start; index < end; index += 1) cells.push(cellAt(index, dims));
  return cells;
}

/** The position of a cell in the matrix: the inverse of cellAt. Undefined for a model not in the matrix. */
export function cellIndex(
  dims: MatrixDims,
  caseIndex: number,
  model: string,
  repeat: number,
): number | undefined {
  const modelIndex = dims.models.indexOf(model);
  if (modelIndex < 0) return undefined;
  return (caseIndex * dims.models.length + modelIndex) * dims.repeat + repeat;
}

/** How many of the given matrix cells belong to each model. */
export function cellsPerModel(dims: MatrixDims, cells: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const model of dims.models) counts[model] = 0;
  for (const index of cells) {
    const { model } = cellAt(index, dims);
    counts[model] = (counts[model] ?? 0) + 1;
  }
  return counts;
}
