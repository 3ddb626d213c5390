"""Realistic machine-learning papers for the generated snapshot: titles, authors, abstracts.

``bench/gen_snapshot.py --titles realistic`` uses it; the search relevance benchmark
(bench/bench_relevance.py) needs it, so that its queries mean something: common words are
really common and distinctive words really rare, as on arXiv.

* Titles follow the templates of arXiv ML titles ("X: Y for Z", "Towards …", "On the … of …",
  "Learning … with …", "… via …", "Rethinking …", "… Is All You Need") and fill their slots
  from lists of real title words and phrases (modifiers, head nouns, tasks, properties), each
  drawn with rank-frequency Zipf weights in the order written here (most frequent first), so
  "learning", "neural networks", "deep", "graph" are everywhere and "Koopman" is not. Named
  terms and domain words ("Wasserstein", "echocardiography", "nuScenes", "Swahili") and a
  long tail of made-up but word-like technical terms ("spectrotopic", "chronometry") make the
  rare end: most titles hold one or two words few other titles hold.
* About a quarter of the titles start with a short name before a colon ("BERT: Pre-training
  of …"): an acronym of the title's words, a CamelCase name ("GraphFormer", "DreamFusion"),
  an everyday word ("Chinchilla") or a derivative of a famous one ("SciBERT"), sometimes with
  a version ("-2", "v3", "++"). Names repeat across papers, as on arXiv.
* Authors: 1-10, first names and surnames from real lists (Wang, Zhang, Li … are common, as
  on arXiv) with a long tail of generated surnames from real name parts.
* Abstracts: template sentences around the title's own phrases and the paper's short name,
  filler sentences of common abstract words, and baselines cited by name (names of earlier
  papers, the popular ones more often), so a title word also appears in other papers'
  abstracts.

Everything is drawn from the ``random.Random`` passed in: deterministic for a seed.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass


def _split(text: str) -> list[str]:
    """Comma- or newline-separated entries, in the order written (most frequent first)."""
    return [w.strip() for w in re.split(r"[,\n]", text) if w.strip()]


class Zipf:
    """Words drawn with weight 1 / (rank + offset) ** s: the list's order is its ranking."""

    def __init__(self, words: list[str], s: float = 1.0, offset: float = 1.0) -> None:
        self.words = list(dict.fromkeys(words))
        self.cum = list(
            itertools.accumulate(1.0 / (r + offset) ** s for r in range(len(self.words)))
        )
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> str:
        return self.words[bisect.bisect_left(self.cum, rng.random() * self.total)]

    def draw_distinct(self, rng: random.Random, k: int) -> list[str]:
        out: list[str] = []
        for _ in range(k * 4):
            word = self.draw(rng)
            if word not in out:
                out.append(word)
                if len(out) == k:
                    break
        return out


# Modifiers (adjectives and nouns used as adjectives), most frequent first.
MODIFIERS = _split(
    """deep, neural, graph, efficient, robust, adversarial, generative, self-supervised,
    scalable, Bayesian, federated, contrastive, unsupervised, multimodal, stochastic,
    convolutional, sparse, online, fast, semi-supervised, probabilistic, hierarchical,
    interpretable, causal, multi-task, continual, latent, visual, temporal, dynamic, optimal,
    linear, differentiable, implicit, variational, recurrent, distributed, private, fair,
    explainable, zero-shot, few-shot, end-to-end, lightweight, adaptive, uncertainty-aware,
    physics-informed, equivariant, geometric, spectral, Gaussian, low-rank, decentralized,
    offline, model-based, hybrid, cross-domain, cross-modal, open-vocabulary, long-tailed, noisy,
    heterogeneous, structured, discrete, continuous, compositional, energy-based, score-based,
    autoregressive, masked, pretrained, fine-grained, weakly-supervised, spatio-temporal,
    attention-based, transformer-based, kernel, nonparametric, nonlinear, convex, non-convex,
    multi-scale, multi-view, multilingual, cross-lingual, conditional, unified, universal, simple,
    provable, certified, secure, trustworthy, sample-efficient, data-efficient,
    parameter-efficient, memory-efficient, communication-efficient, asynchronous, parallel,
    quantum, mixed-precision, binary, quantized, local, global, contextual, relational, symbolic,
    neuro-symbolic, logical, semantic, acoustic, spatial, 3D, point-based, event-based, spiking,
    neuromorphic, invariant, hyperbolic, Riemannian, topological, information-theoretic,
    game-theoretic, statistical, computational, theoretical, empirical, practical, automated,
    interactive, incremental, active, inverse, residual, dense, shallow, wide, overparameterized,
    infinite-width, mean-field, randomized, approximate, exact, accelerated, gradient-based,
    sampling-based, tree-based, rule-based, prototype-based, memory-augmented,
    retrieval-augmented, knowledge-enhanced, instruction-tuned, open-world, open-set, long-range,
    long-context, real-time, on-device, edge, streaming, personalized, collaborative,
    cooperative, safe, constrained, regularized, calibrated, consistent, stable, unbiased,
    debiased, balanced, imbalanced, domain-adaptive, domain-invariant, task-agnostic,
    model-agnostic, label-efficient, annotation-free, training-free, learnable, deformable,
    dilated, gated, token-level, sentence-level, document-level, pixel-level, instance-level,
    object-centric, human-centric, clinical, medical, biomedical, molecular, chemical, physical,
    financial, social, urban, industrial, scientific, mathematical, audio-visual,
    vision-language, text-to-image, sequence-to-sequence, morphological, orthogonal, Lipschitz,
    permutation-invariant, rotation-equivariant, biologically plausible, second-order,
    first-order, zeroth-order, higher-order, multi-fidelity, multi-objective, multi-armed,
    partially observable, non-stationary, heavy-tailed, high-dimensional, low-resource,
    resource-constrained, explicit, amortized, hypernetwork-based"""
)

# Head nouns and noun phrases, most frequent first.
HEADS = _split(
    """learning, neural networks, models, networks, representations, reinforcement learning,
    language models, optimization, deep learning, estimation, inference, large language models,
    graph neural networks, detection, transformers, segmentation, classification, diffusion
    models, generation, framework, approach, method, algorithms, training, prediction, analysis,
    embeddings, policies, agents, systems, recognition, reasoning, retrieval, alignment,
    adaptation, distillation, compression, federated learning, contrastive learning,
    representation learning, pruning, sampling, planning, control, regression, clustering,
    forecasting, tracking, reconstruction, synthesis, translation, matching, search, discovery,
    exploration, regularization, quantization, attacks, defenses, benchmark, dataset,
    autoencoders, bandits, kernels, graphs, features, priors, objectives, bounds, guarantees,
    dynamics, architectures, encoders, decoders, fields, operators, solvers, processes, flows,
    Gaussian processes, normalizing flows, variational autoencoders, generative adversarial
    networks, neural radiance fields, knowledge graphs, point clouds, time series, mixture of
    experts, state space models, spiking neural networks, vision-language models, foundation
    models, world models, transfer learning, meta-learning, active learning, imitation learning,
    in-context learning, multi-agent reinforcement learning, mixtures, ensembles, trees, forests,
    machines, memory, attention, pretraining, fine-tuning, prompting, editing, unlearning,
    watermarking, calibration, verification, certification, robustness, generalization,
    interpretability, explanations, fairness, privacy, uncertainty, convergence, complexity,
    decomposition, factorization, completion, imputation, augmentation, selection, ranking,
    recommendation, localization, mapping, navigation, manipulation, grasping, locomotion,
    simulation, surrogates, metrics, losses, rewards, gradients, updates, schedules, curricula,
    tokenizers, descriptors, hashing, indexing, routing, scheduling, allocation, pricing, games,
    equilibria, mechanisms, protocols, pipelines, toolkits, accelerators, compilers, circuits,
    states, manifolds, geometry, topology, transport, sketches, embeddings spaces, codebooks,
    adapters, hypernetworks, neural operators, implicit neural representations, capsule networks,
    echo state networks, Hopfield networks, Boltzmann machines, support vector machines, random
    features, decision trees, random forests, boosting, bagging, kernel methods, tensor networks,
    cellular automata, evolutionary algorithms, genetic algorithms, swarm intelligence"""
)

# Tasks and applications, most frequent first.
TASKS = _split(
    """image classification, object detection, semantic segmentation, machine translation,
    question answering, text classification, speech recognition, time series forecasting,
    anomaly detection, recommendation, drug discovery, molecular property prediction, protein
    structure prediction, autonomous driving, robotic manipulation, medical image segmentation,
    named entity recognition, sentiment analysis, code generation, image generation, video
    understanding, 3D reconstruction, pose estimation, depth estimation, visual question
    answering, image captioning, text-to-image synthesis, node classification, link prediction,
    graph classification, traffic forecasting, weather forecasting, language modeling, dialogue
    systems, information retrieval, summarization, knowledge graph completion, domain
    adaptation, continual learning, few-shot classification, out-of-distribution detection, fraud
    detection, speaker verification, person re-identification, action recognition, optical flow,
    super-resolution, image denoising, image inpainting, style transfer, motion planning, visual
    navigation, portfolio optimization, combinatorial optimization, neural architecture search,
    hyperparameter optimization, causal discovery, survival analysis, clinical prediction, EEG
    decoding, histopathology, remote sensing, hyperspectral imaging, scene graph generation,
    instance segmentation, panoptic segmentation, video prediction, video generation,
    text-to-speech, speech enhancement, speech separation, music generation,
    machine reading comprehension,
    relation extraction, event extraction, entity linking, semantic parsing, program synthesis,
    theorem proving, mathematical reasoning, commonsense reasoning, fact verification,
    hallucination detection, toxicity detection, hate speech detection, misinformation
    detection, stance detection, emotion recognition, facial expression recognition, face
    recognition, gait recognition, handwriting recognition, scene text recognition, document
    understanding, table understanding, chart understanding, visual grounding, referring
    expression comprehension, image retrieval, cross-modal retrieval, video retrieval, dense
    retrieval, open-domain question answering, multi-hop reasoning, retrieval-augmented
    generation, instruction following, preference optimization, reward modeling, red teaming,
    jailbreak detection, membership inference, model extraction, backdoor detection, malware
    detection, intrusion detection, network traffic classification, channel estimation,
    beamforming, power allocation, spectrum sensing, load forecasting, energy disaggregation,
    battery health estimation, fault diagnosis, predictive maintenance, defect detection,
    crop yield prediction, land cover classification, change detection, cloud removal, ship
    detection, wildfire prediction, earthquake detection, climate downscaling, precipitation
    nowcasting, ocean modeling, molecule generation, retrosynthesis, protein design, antibody
    design, docking, virtual screening, single-cell analysis, gene expression prediction,
    variant calling, brain decoding, seizure detection, sleep staging, arrhythmia detection,
    tumor segmentation, lesion detection, polyp segmentation, retinal vessel segmentation,
    skin lesion classification, chest X-ray classification, MRI reconstruction, CT
    reconstruction, dose prediction, radiology report generation, clinical note summarization,
    ICU mortality prediction, sepsis prediction, epidemic forecasting, legal judgment
    prediction, patent classification, credit scoring, stock prediction, algorithmic trading,
    click-through rate prediction, session-based recommendation, sequential recommendation,
    query autocompletion, spelling correction, grammatical error correction, keyphrase
    extraction, topic modeling, authorship attribution, sign language translation, lip reading,
    gaze estimation, hand pose estimation, human motion generation, character animation, garment
    simulation, novel view synthesis, scene completion, SLAM, visual odometry, place
    recognition, loop closure detection, trajectory prediction, multi-object tracking, crowd
    counting, vehicle re-identification, lane detection, traffic sign recognition, drone
    navigation, legged locomotion, dexterous manipulation, peg insertion, cloth folding"""
)

# "On the X of …", "X of … in …"
PROPERTIES = _split(
    """convergence, robustness, generalization, expressivity, expressive power, sample
    complexity, role, importance, limitations, effectiveness, stability, calibration,
    identifiability, hardness, benefits, power, optimality, implicit bias, inductive bias,
    transferability, scalability, efficiency, consistency, fairness, privacy, interpretability,
    reproducibility, difficulty, dynamics, geometry, landscape, spectrum, rank, sparsity,
    smoothness, capacity, memorization, forgetting, emergence, collapse, vulnerability,
    sensitivity, trade-off, duality, equivalence, connection, relationship, impact, pitfalls,
    failure modes, computational complexity, statistical complexity, minimax rates, regret"""
)

GERUNDS = _split(
    """Learning, Improving, Scaling, Training, Understanding, Rethinking, Revisiting,
    Benchmarking, Evaluating, Exploring, Leveraging, Enhancing, Boosting, Accelerating,
    Mitigating, Unifying, Bridging, Disentangling, Distilling, Characterizing, Quantifying,
    Measuring, Detecting, Generating, Predicting, Estimating, Optimizing, Modeling, Explaining,
    Interpreting, Aligning, Adapting, Compressing, Pruning, Sampling, Probing, Steering,
    Controlling, Teaching, Unlocking, Harnessing, Taming, Demystifying, Simplifying,
    Regularizing, Stabilizing, Certifying, Verifying, Auditing, Debiasing, Personalizing"""
)

LEADS = _split(
    """Rethinking, Revisiting, Understanding, Benchmarking, Demystifying, Unifying, Scaling,
    Towards Understanding, A Closer Look at, An Empirical Study of, A Survey on, A Theory of,
    Lessons from, Beyond, Dissecting, Evaluating"""
)

SINGULAR_HEADS = _split(
    """framework, approach, method, benchmark, dataset, survey, study, model, perspective,
    analysis, algorithm, library, toolkit, baseline, theory, case study, unified view,
    position paper, comparison, recipe"""
)

# Named terms and domain words: the rarer end of real titles, most frequent first.
DOMAIN = _split(
    """Wasserstein, Koopman, Hamiltonian, Lagrangian, Sinkhorn, Langevin, Ising, Hopfield,
    Markovian, Dirichlet, Poisson, Laplacian, Fourier, wavelet, Chebyshev, Hessian, Jacobian,
    Sobolev, Hilbert, Banach, Stein, Kalman, Gibbs, Metropolis, Monte Carlo, Thompson, Bellman,
    Nash, Shapley, Bregman, Mahalanobis, Hellinger, Kullback-Leibler, Rényi, Fisher, PAC-Bayesian,
    Rademacher, Kolmogorov, Gromov-Wasserstein, Procrustes, Grassmannian, Stiefel, Lie group,
    Clifford, quaternion, tensor, Tucker, hypergraph, simplicial, sheaf, persistent homology,
    Morse, Voronoi, Delaunay, spline, Bézier, Radon, Hough, Gabor, retinal, glioma, mammography,
    echocardiography, dermoscopy, colonoscopy, endoscopy, radiotherapy, Alzheimer's, Parkinson's,
    sepsis, COVID-19, pneumonia, tuberculosis, malaria, diabetic retinopathy, ECG, EEG, fMRI,
    MRI, CT, PET, ultrasound, X-ray, LiDAR, radar, sonar, seismic, galaxy, exoplanet, supernova,
    gravitational-wave, cosmological, turbulence, combustion, crystal, polymer, enzyme,
    antibody, peptide, protein-ligand, genome, transcriptomics, single-cell, metagenomics,
    chromatin, microbiome, epidemic, wildfire, earthquake, flood, drought, hurricane, battery,
    photovoltaic, power grid, wind farm, HVAC, traffic, pedestrian, drone, UAV, satellite,
    underwater, agricultural, crop, forest, soil, ocean, glacier, permafrost, stock,
    cryptocurrency, blockchain, auction, poker, chess, Go, Minecraft, Atari, StarCraft,
    Sokoban, Sudoku, legal, patent, tax, insurance, credit, loan, supply chain, warehouse,
    logistics, ride-hailing, e-commerce, advertising, music, dance, poetry, humor, sarcasm,
    meme, code-switching, sign language, braille, handwriting, calligraphy, font, cartoon, anime,
    face, iris, fingerprint, gait, lip, gaze, skeleton, garment, furniture, indoor, outdoor,
    aerial, nighttime, foggy, low-light, HDR, JPEG, tabular, spreadsheet, SQL, Python, Verilog,
    smart contract, Android, malware, phishing, botnet, ransomware, side-channel, backdoor,
    trojan, jailbreak, prompt injection, deepfake, steganography, CAPTCHA, CIFAR-10, ImageNet,
    COCO, MNIST, KITTI, nuScenes, Waymo, ScanNet, ShapeNet, LibriSpeech, SQuAD, GLUE, MIMIC-III,
    UK Biobank, Wikipedia, Reddit, Twitter, GitHub, StackOverflow, Bengali, Swahili, Urdu,
    Vietnamese, Arabic, Chinese, Japanese, Korean, Hindi, Persian, Turkish, Indonesian, Amharic,
    Yoruba, Hausa, Tamil, Telugu, Marathi, Nepali, Sinhala, Khmer, Tibetan, Uyghur, Quechua,
    Basque, Catalan, Welsh, Finnish, Estonian, Hungarian, Polish, Czech, Ukrainian, Greek,
    Hebrew, Icelandic, Maltese, 5G, 6G, IoT, RIS, mmWave, OFDM, MIMO, NOMA, V2X, FPGA, GPU, TPU,
    RISC-V, CUDA, SRAM, DRAM, NAND, memristor, photonic, superconducting, trapped-ion, qubit,
    NISQ, QAOA, VQE, Grover, Shor, Bose-Hubbard, Heisenberg, Schrödinger, Navier-Stokes, Burgers,
    Allen-Cahn, Cahn-Hilliard, Korteweg-de Vries, Helmholtz, Maxwell, Darcy, Stokes, Euler,
    Riccati, Lyapunov, Hamilton-Jacobi, Fokker-Planck, Ornstein-Uhlenbeck, Brownian, Lévy,
    Hawkes, Cox, Weibull, Pareto, Zipf, Benford, Bradley-Terry, Plackett-Luce, Elo, Borda,
    Condorcet, Arrow, Vickrey, Myerson, Stackelberg, Cournot, Bertrand"""
)

_PREFIXES = _split(
    """hyper, neuro, cardio, geo, photo, spectro, electro, thermo, bio, chemo, immuno, micro,
    nano, astro, hydro, cyto, morpho, topo, chrono, radio, seismo, magneto, proto, poly, meta,
    para, iso, hetero, pseudo, quasi, ortho, multi, xeno, aero, baro, cryo, dendro, endo, exo,
    glyco, hemo, histo, kine, litho, meso, myo, oculo, osteo, patho, phono, psycho, pyro,
    rheo, sono, stereo, tele, tribo, volu, zymo, angio, arthro, chromo, dermo, glio, lipo,
    myco, nephro, onco, pneumo, retino, sclero, vaso"""
)
_ROOTS = _split(
    """graph, gram, scop, metr, morph, phon, log, path, plasm, spher, trop, gen, lyt, ton, stat,
    dynam, kinet, lith, cyt, som, mer, top, chrom, phot, mag, therm, crin, derm, fil, flex,
    form, fract, gon, grad, lamin, lum, mod, nom, pher, plan, sect, spect, struct, tact, tens,
    vect, volv"""
)
_SUFFIXES = _split(
    """y, ic, ical, ia, ics, ography, ometry, ation, ity, ism, ine, ase, oid, ous, al, ant,
    ency, ogenesis, olysis, ometric, otropic, ogenic, on, ar, ite"""
)

# Surnames, most frequent first (arXiv's ML author lists: Chinese, Korean, Indian, European …).
SURNAMES = _split(
    """Wang, Zhang, Li, Liu, Chen, Yang, Zhao, Huang, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, He,
    Lin, Gao, Luo, Kim, Lee, Park, Singh, Kumar, Smith, Zheng, Liang, Xie, Song, Tang, Han,
    Feng, Deng, Cao, Peng, Zeng, Xiao, Tian, Dong, Pan, Yuan, Jiang, Cai, Yu, Lu, Shi, Qian,
    Du, Ye, Wei, Ren, Shen, Cheng, Fang, Jin, Yao, Tan, Choi, Jung, Kang, Cho, Yoon, Shin,
    Sharma, Gupta, Patel, Shah, Das, Agarwal, Reddy, Jain, Mishra, Verma, Chatterjee, Banerjee,
    Mukherjee, Iyer, Rao, Nair, Tanaka, Suzuki, Sato, Takahashi, Watanabe, Ito, Yamamoto,
    Nakamura, Kobayashi, Kato, Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner,
    Becker, Schulz, Hoffmann, Johnson, Williams, Brown, Jones, Miller, Davis, Garcia, Rodriguez,
    Martinez, Hernandez, Lopez, Gonzalez, Wilson, Anderson, Thomas, Taylor, Moore, Jackson,
    Martin, Thompson, White, Harris, Clark, Lewis, Robinson, Walker, Young, Allen, King, Wright,
    Scott, Hill, Green, Adams, Baker, Nelson, Carter, Mitchell, Roberts, Turner, Phillips,
    Campbell, Parker, Evans, Edwards, Collins, Stewart, Morris, Rossi, Russo, Ferrari, Esposito,
    Bianchi, Romano, Colombo, Ricci, Marino, Dubois, Durand, Lefebvre, Moreau, Laurent, Simon,
    Michel, Bernard, Petit, Ivanov, Petrov, Smirnov, Kuznetsov, Popov, Sokolov, Volkov, Novak,
    Kowalski, Nowak, Wiśniewski, Nguyen, Tran, Le, Pham, Hoang, Vu, Cohen, Levi, Friedman,
    Katz, Mizrahi, Silva, Santos, Oliveira, Souza, Pereira, Costa, Ferreira, Almeida, Andersen,
    Nielsen, Hansen, Larsen, Johansson, Karlsson, Nilsson, Eriksson, Virtanen, Korhonen,
    de Vries, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, Peeters, Maes, Jacobs,
    Papadopoulos, Georgiou, Yilmaz, Kaya, Demir, Şahin, Hosseini, Ahmadi, Mohammadi, Rezaei,
    Karimi, Ahmed, Ali, Khan, Hassan, Hussain, Ibrahim, Mahmoud, Haddad, Okafor, Adeyemi,
    Mensah, Owusu, Kariuki, Mwangi, Dlamini, Nkosi, Hinton, LeCun, Bengio, Kingma, Schölkopf,
    Jordan, Ng, Sutskever, Goodfellow, Vaswani, Silver, Hassabis, Levine, Abbeel, Finn,
    Salakhutdinov, Hochreiter, Schmidhuber, Bottou, Vapnik, Ghahramani, Welling, Tishby,
    Tenenbaum, Pearl, Sutton, Barto, Russell, Darrell, Malik, Fei-Fei, Torralba, Efros,
    Zisserman, Vedaldi, Manning, Jurafsky, Collobert, Mikolov, Pennington, Devlin, Radford,
    Brock, Karras, Rombach, Ommer, Ho, Sohl-Dickstein, Vincent, Larochelle, Courville"""
)
_SURNAME_PARTS = {
    "slavic": (
        _split("Kovalen, Petro, Shevchen, Bonda, Tkachen, Lysen, Moroz, Hrytsen, Savchen, Kraven"),
        _split("ko, vic, vich, ov, ova, ski, sky, czyk, iak, enko"),
    ),
    "german": (
        _split("Holz, Ros, Stein, Berg, Wald, Eisen, Hart, Lich, Blum, Kirch, Feld, Brand"),
        _split("mann, enberg, hauser, feld, meier, inger, ner, hardt, bach, gruber, ler"),
    ),
    "italian": (
        _split("Bel, Mar, Car, Gal, Fer, Ros, Bon, Val, Pel, Cas, Ser, Mon, Ber"),
        _split("lini, etti, ucci, aldi, one, ari, ino, ello, otti, ano, esi, ieri"),
    ),
    "japanese": (
        _split("Yama, Naka, Taka, Kawa, Mori, Hayashi, Ishi, Fuji, Matsu, Hashi, Kita, Shima"),
        _split("moto, mura, da, guchi, saki, shita, no, hara, oka, zawa, kawa, ta"),
    ),
    "spanish": (
        _split("Fernán, Rodrí, Sánch, Domíngu, Vásqu, Benít, Gutiérr, Ramír, Álvar, Suár"),
        _split("dez, guez, ez, es, ega, ado, ero, illa, ales"),
    ),
    "nordic": (
        _split("Lund, Berg, Sand, Lind, Holm, Ek, Ström, Dahl, Sjö, Ny, Gran, Björk"),
        _split("qvist, ström, gren, berg, lund, man, dahl, holm, vall, ius"),
    ),
    "greek": (
        _split("Papa, Kon, Nik, Geor, Dimi, Alex, Vasi, Chris, Anto, Ioan"),
        _split("dopoulos, stantinou, olaidis, giou, triou, androu, liadis, tou, nakis, idis"),
    ),
    "indian": (
        _split("Chakra, Bhatta, Sri, Venkat, Rama, Krishna, Subra, Bala, Raghu, Nara, Gopa"),
        _split("borty, charya, vastava, araman, nathan, murthy, manian, swamy, van, yanan"),
    ),
}

FIRST_NAMES = _split(
    """Wei, Yi, Jie, Xin, Yu, Hao, Jun, Lei, Yang, Jing, Min, Tao, Yan, Hui, Ming, Chen, Lin,
    Xiao, Jian, Qiang, Ji-Woo, Min-jun, Seo-yeon, Hyun, Sung, Jae, Rahul, Amit, Priya, Ananya,
    Arjun, Vikram, Neha, Sanjay, Deepak, Kavya, Hiroshi, Yuki, Takeshi, Haruto, Sakura, Kenji,
    John, David, Michael, James, Robert, Daniel, Thomas, Andrew, Christopher, Matthew, Sarah,
    Emily, Jessica, Laura, Anna, Maria, Elena, Sofia, Julia, Emma, Olivia, Lucas, Felix, Jonas,
    Lukas, Maximilian, Hannah, Lena, Marco, Luca, Giulia, Francesco, Alessandro, Pierre,
    Julien, Camille, Antoine, Mathieu, Dmitri, Alexei, Sergei, Ivan, Natalia, Olga, Tatiana,
    Piotr, Tomasz, Katarzyna, Minh, Linh, Duc, Yosef, Noa, Tamar, Ariel, João, Pedro, Ana,
    Lucía, Carlos, Javier, Diego, Alejandro, Mohammad, Ali, Reza, Sara, Fatemeh, Ahmed, Omar,
    Youssef, Layla, Amina, Chinedu, Ngozi, Kwame, Ama, Wanjiru, Thabo, Lars, Erik, Ingrid,
    Astrid, Mikko, Aino, Pieter, Sanne, Dimitris, Eleni, Mehmet, Elif, Ayşe, Oliver, George,
    Samuel, Benjamin, Nathan, Ethan, Noah, Liam, Grace, Chloe, Zoe, Isabel, Clara, Alice"""
)

# Short names of papers: pieces and famous names.
_NAME_ROOTS = _split(
    """Graph, Flow, Point, Vox, Mesh, Diff, Seg, Dino, Mamba, Llama, Res, Dense, Mobile, Swin,
    Mask, Deep, Neuro, Bio, Med, Geo, Chem, Mol, Proto, Meta, Hyper, Omni, Uni, Pan, Poly,
    Octo, Star, Sky, Ocean, Terra, Astro, Quantum, Crystal, Atom, Pixel, Token, Prompt, Code,
    Math, Logic, Chat, Talk, Speech, Sound, Audio, Music, Video, Motion, Pose, Hand, Face, Scene,
    Depth, Light, Shadow, Color, Style, Sketch, Text, Doc, Table, Chart, Web, Mind, Brain, Cell,
    Gene, Protein, Drug, Fold, Dock, Path, Route, Map, Nav, Drive, Robo, Grasp, Walk, Fly, Swarm,
    Fed, Priv, Fair, Safe, Trust, Guard, Shield, Lens, Scope, Spark, Flash, Turbo, Nano, Micro,
    Tiny, Lite, Fast, Long, Wide, Dream, Instruct, Control, Vision, Wave, Tab, Time, Event,
    Spike, Edge, Cloud, Fusion, Sparse, Dyna, Hydra, Echo, Fractal, Prism, Vertex, Tensor,
    Kernel, Cascade, Mirror, Beacon, Anchor, Compass, Orbit, Pulse, Ripple, Shift, Stitch"""
)
_NAME_SUFFIXES = _split(
    """Net, Former, GAN, BERT, Diff, Flow, Mixer, Fusion, Seg, Det, NeRF, GPT, LM, Bench,
    Gym, Agent, Bot, VAE, Match, Track, Pose, Rec, Search, Zero, X, Nav, Gen, Edit, Sim, Opt,
    Coder, Tuner, Vision, Voice, Graph, Mind, Fold, Dock, Scope, Lens"""
)
_EVERYDAY_NAMES = _split(
    """Chinchilla, Gopher, Flamingo, Hyena, Falcon, Orca, Vicuna, Alpaca, Dolphin, Phoenix,
    Hydra, Atlas, Titan, Odyssey, Nova, Aurora, Zephyr, Mistral, Sparrow, Koala, Panda, Otter,
    Beaver, Badger, Lynx, Puma, Jaguar, Cheetah, Mantis, Octopus, Squid, Jellyfish, Starfish,
    Coral, Kelp, Lotus, Bamboo, Cactus, Maple, Willow, Cedar, Sequoia, Acorn, Pebble, Granite,
    Marble, Obsidian, Quartz, Onyx, Amber, Jade, Ruby, Sapphire, Emerald, Topaz, Opal, Pearl,
    Comet, Meteor, Nebula, Quasar, Pulsar, Galaxy, Cosmos, Horizon, Zenith, Apex, Summit,
    Voyager, Pioneer, Explorer, Pathfinder, Navigator, Sentinel, Guardian, Oracle, Sage,
    Muse, Echo, Mirage, Prism, Spectrum, Kaleidoscope, Mosaic, Tapestry, Origami, Lego,
    Domino, Chameleon, Gecko, Salamander, Tortoise, Hare, Raven, Owl, Hawk, Eagle, Condor,
    Pelican, Heron, Crane, Swan, Goose, Penguin, Albatross, Kiwi, Mango, Papaya, Lychee,
    Durian, Saffron, Ginger, Pepper, Basil, Sherlock, Watson, Merlin, Gandalf, Athena, Apollo,
    Hermes, Janus, Prometheus, Icarus, Pandora, Medusa, Cerberus, Pegasus, Sphinx"""
)
_FAMOUS_NAMES = _split(
    """BERT, GPT, CLIP, ViT, ResNet, NeRF, SAM, DETR, YOLO, U-Net, LoRA, Adam, GAN, VAE, DINO,
    MAE, T5, LLaMA, BLIP, Mamba, PointNet, wav2vec, Whisper, AlphaFold, MuZero, PPO, DQN"""
)
_FAMOUS_PREFIXES = _split(
    """Sci, Bio, Med, Clinical, Legal, Fin, Code, Math, Chem, Geo, Video, Point, Graph, Audio,
    Tiny, Distil, Ro, Long, Fast, Mobile, Efficient, Sparse, Q, Dy, Ada, Hyper, Meta, Open,
    Vision, Time, Tab, Mol, Prot, Astro, Edu, Agri, Eco, Urban, Auto"""
)
_VERSIONS = ("-2", "-3", "v2", "v3", "++", "-XL", "-L", "-Lite", "-Zero", "-V")
_SMALL_WORDS = frozenset(
    _split(
        """a, an, and, as, at, but, by, for, from, in, into, nor, of, on, or, per, the, to,
        via, vs, with"""
    )
)

# Words of abstracts besides the title's: academic prose, most frequent first.
ABSTRACT_WORDS = _split(
    """the, of, and, to, a, in, we, is, that, for, on, this, with, our, are, by, as, an, be,
    which, model, from, can, method, data, these, results, show, learning, approach, it,
    performance, propose, paper, both, not, such, than, also, existing, task, tasks, based,
    methods, training, problem, proposed, new, two, more, using, while, novel, has, have,
    however, experiments, demonstrate, state-of-the-art, achieves, significantly, improves,
    framework, benchmark, benchmarks, analysis, each, between, into, large, across, set,
    their, its, information, first, different, various, use, only, over, one, network, models,
    datasets, accuracy, work, under, without, provide, outperforms, effective, efficient,
    approaches, evaluation, baselines, extensive, real-world, structure, space, features,
    representation, input, output, trained, test, error, small, number, high, low, time, cost,
    computational, theoretical, empirical, prior, previous, recent, key, main, challenge,
    challenges, limited, scale, setting, settings, study, studies, framework, leads, leading,
    enables, allows, further, particular, general, simple, strong, robust, better, improved,
    competitive, comparable, consistently, substantially, notably, effectively, efficiently,
    specifically, moreover, furthermore, finally, code, available, publicly, released"""
)


@dataclass(frozen=True, slots=True)
class GeneratedPaper:
    title: str
    short_name: str | None
    authors: list[list[str]]  # authors_parsed: [last, first, suffix]
    abstract: str


def _distinct(make: Callable[[], str], count: int) -> list[str]:
    """Up to ``count`` distinct values of ``make()`` (fewer if it cannot make that many)."""
    out: dict[str, None] = {}
    for _ in range(count * 20):
        out.setdefault(make(), None)
        if len(out) == count:
            break
    return list(out)


def _tail_terms(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct made-up technical words from real morphemes ("spectrotopic")."""
    return _distinct(
        lambda: rng.choice(_PREFIXES) + rng.choice(_ROOTS) + rng.choice(_SUFFIXES), count
    )


_SYLLABLES = ("", "", "", "an", "el", "in", "or", "ar", "us", "ol")


def _tail_surnames(rng: random.Random, count: int) -> list[str]:
    cultures = list(_SURNAME_PARTS.values())

    def make() -> str:
        stems, ends = rng.choice(cultures)
        stem = rng.choice(stems)
        if rng.random() < 0.5:  # a second stem makes the long tail long
            stem += rng.choice(stems)[:3].lower()
        return stem + rng.choice(_SYLLABLES) + rng.choice(ends)

    return _distinct(make, count)


def title_case(words: list[str]) -> list[str]:
    """arXiv's usual Title Case: small words lower (but the first), words with capitals kept."""
    out = []
    for i, word in enumerate(words):
        if any(c.isupper() for c in word) or (i and word in _SMALL_WORDS):
            out.append(word)
        else:
            out.append("-".join(p[:1].upper() + p[1:] for p in word.split("-")))
    return out


def sentence_case(words: list[str]) -> list[str]:
    if not words:
        return words
    first = words[0]
    return [first[:1].upper() + first[1:], *words[1:]]


class PaperGenerator:
    """Titles, authors and abstracts of ML papers; one instance per snapshot (``rng``)."""

    def __init__(self, rng: random.Random, *, tail_terms: int = 40_000) -> None:
        self.rng = rng
        self.mods = Zipf(MODIFIERS, 1.0, offset=4.0)
        self.heads = Zipf(HEADS, 1.0, offset=2.5)
        self.tasks = Zipf(TASKS, 0.9, offset=2.0)
        self.props = Zipf(PROPERTIES, 0.9)
        self.gerunds = Zipf(GERUNDS, 0.9)
        self.leads = Zipf(LEADS, 0.9)
        self.singular = Zipf(SINGULAR_HEADS, 1.0)
        # named terms first, then the made-up tail: one Zipf ranking of the rare end
        self.domain = Zipf(DOMAIN + _tail_terms(rng, tail_terms), 1.0, offset=3.0)
        self.surnames = Zipf(SURNAMES + _tail_surnames(rng, 40_000), 0.95, offset=2.0)
        self.first_names = Zipf(FIRST_NAMES, 0.6)
        self.abstract_words = Zipf(ABSTRACT_WORDS, 1.0)
        self.cited: list[str] = list(_FAMOUS_NAMES) * 20  # names baselines are cited by

    # ---- titles

    def np(self, *, min_words: int = 1) -> list[str]:
        """A noun phrase: 0-3 modifiers, sometimes a domain word, a head."""
        rng = self.rng
        k = rng.choice((0, 1, 1, 1, 2, 2, 3))
        words = self.mods.draw_distinct(rng, k)
        if rng.random() < 0.3:
            words.append(self.domain.draw(rng))
        words.append(self.heads.draw(rng))
        phrase = " ".join(words).split()
        while len(phrase) < min_words:
            phrase = [self.mods.draw(rng), *phrase]
        return phrase

    def task(self) -> list[str]:
        rng = self.rng
        words = self.tasks.draw(rng).split()
        if rng.random() < 0.25:
            words = [*self.domain.draw(rng).split(), *words]
        return words

    def _body(self, *, colon: bool) -> list[str]:
        """The words of a title without its short name (``colon``: a colon may appear)."""
        rng = self.rng
        t = rng.random() * 100
        if t < 16:
            return [*self.np(), "for", *self.task()]
        if t < 22:
            return [*self.np(), "for", *self.np()]
        if t < 29:
            return [self.gerunds.draw(rng), *self.np(), "for", *self.task()]
        if t < 37:
            return [self.gerunds.draw(rng), *self.np(), "with", *self.np()]
        if t < 44:
            return [*self.np(), "via", *self.np()]
        if t < 50:
            return [*self.np(), "with", *self.np()]
        if t < 54:
            return ["Towards", *self.np(), "for", *self.task()]
        if t < 57:
            return ["Towards", *self.np(min_words=2)]
        if t < 62:
            return ["On", "the", *self.props.draw(rng).split(), "of", *self.np()]
        if t < 67 and colon:
            return [*self.np(min_words=2), ":", *self.np(), "for", *self.task()]
        if t < 72:
            mod = self.mods.draw(rng)
            article = "The" if t >= 70 else "An" if mod[0].lower() in "aeiou" else "A"
            return [article, mod, *self.singular.draw(rng).split(), "for", *self.task()]
        if t < 76:
            return [*self.np(), "in", *self.task()]
        if t < 79:
            return [*self.np(), "and", *self.np(), "for", *self.task()]
        if t < 85:
            return [*self.leads.draw(rng).split(), *self.np(min_words=2)]
        if t < 86:
            return [*self.np(min_words=2), "Is", "All", "You", "Need"]
        if t < 88:
            return ["When", "Do", *self.np(min_words=2), "Help", *self.task(), "?"]
        if t < 89:
            return ["Can", *self.np(min_words=2), "Learn", *self.np(), "?"]
        if t < 93:
            return [*self.np(), "Using", *self.np()]
        if t < 96:
            return [*self.props.draw(rng).split(), "of", *self.np(), "in", *self.task()]
        if t < 98:
            return [
                *self.np(),
                "for",
                *self.task(),
                ":",
                "A",
                *self.singular.draw(rng).split(),
            ]
        return [*self.np(), "Meets", *self.np()]

    def short_name(self, body: list[str]) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:  # an acronym of some of the title's words ("CLIP"), mostly 4-5 letters
            letters = [w[0] for w in body if w[0].isalpha() and w.lower() not in _SMALL_WORDS]
            if len(letters) >= 3:
                size = min(len(letters), rng.choices((3, 4, 5, 6), weights=(25, 40, 25, 10))[0])
                start = rng.randint(0, len(letters) - size)
                name = "".join(letters[start : start + size]).upper()
                if rng.random() < 0.3:  # a vowel to say it ("GraIL", "DINO")
                    at = rng.randrange(1, len(name))
                    name = name[:at] + rng.choice("aeiou") + name[at:]
                return name + (rng.choice(_VERSIONS) if rng.random() < 0.1 else "")
            roll = 0.5
        if roll < 0.85:  # CamelCase ("GraphFormer", "DreamFusion")
            name = rng.choice(_NAME_ROOTS)
            if rng.random() < 0.75:
                second = rng.choice(_NAME_ROOTS)
                if second != name:
                    name += second
            name += rng.choice(_NAME_SUFFIXES)
        elif roll < 0.93:  # an everyday word ("Chinchilla")
            name = rng.choice(_EVERYDAY_NAMES)
        else:  # a famous name's derivative ("SciBERT")
            name = rng.choice(_FAMOUS_PREFIXES) + rng.choice(_FAMOUS_NAMES)
        if rng.random() < 0.12:
            name += rng.choice(_VERSIONS)
        return name

    def title(self) -> tuple[str, str | None]:
        """A title and its short name (the part before the colon) if it has one."""
        rng = self.rng
        named = rng.random() < 0.25
        body = self._body(colon=not named)
        cased = title_case(body) if rng.random() < 0.65 else sentence_case(body)
        name = self.short_name(body) if named else None
        if name is not None:
            cased = [name + ":", *cased]
        text = " ".join(cased).replace(" :", ":").replace(" ?", "?")
        return text, name

    # ---- authors

    def authors(self) -> list[list[str]]:
        rng = self.rng
        count = rng.choices(range(1, 11), weights=(8, 14, 18, 17, 13, 9, 7, 5, 4, 5))[0]
        out = []
        for _ in range(count):
            first = self.first_names.draw(rng)
            if rng.random() < 0.15:  # arXiv's initials
                first = first[0] + "."
            out.append([self.surnames.draw(rng), first, ""])
        return out

    # ---- abstracts

    def _filler(self, low: int, high: int) -> str:
        rng = self.rng
        words = []
        for _ in range(rng.randint(low, high)):
            roll = rng.random()
            if roll < 0.72:
                words.append(self.abstract_words.draw(rng))
            elif roll < 0.84:
                words.append(self.mods.draw(rng))
            elif roll < 0.95:
                words.append(self.heads.draw(rng))
            else:
                words.append(self.domain.draw(rng))
        return " ".join(words).capitalize() + "."

    def _cite(self) -> str:
        return self.rng.choice(self.cited)

    def abstract(self, title: str, name: str | None) -> str:
        rng = self.rng
        body = title.split(": ", 1)[1] if name else title
        phrase = body.rstrip("?").lower()
        task = " ".join(self.task()).lower()
        np_ = " ".join(self.np()).lower()
        what = name or "a novel " + " ".join(self.np()).lower()
        sentences = [
            f"{np_.capitalize()} have shown remarkable success in {task}.",
            f"However, existing {' '.join(self.np()).lower()} suffer from "
            f"{self.props.draw(rng)} issues.",
            self._filler(12, 25),
            f"In this paper, we propose {what}, {phrase}.",
            self._filler(12, 25),
        ]
        for _ in range(rng.randint(1, 4)):
            sentences.append(self._filler(10, 22))
        cites = [self._cite() for _ in range(rng.choice((0, 1, 1, 2, 3)))]
        if cites:
            sentences.append(
                f"Experiments on {self.domain.draw(rng)} show that {name or 'our method'} "
                f"outperforms {' and '.join(cites)} by {rng.randint(1, 25)}%."
            )
        if name:
            self.cited.append(name)  # later papers may cite it
        return "  " + " ".join(sentences) + "\n"

    def paper(self) -> GeneratedPaper:
        title, name = self.title()
        return GeneratedPaper(title, name, self.authors(), self.abstract(title, name))


def short_name_of(title: str) -> str | None:
    """The short name a generated title starts with ("BERT: …" -> "BERT"), or None."""
    head, colon, _ = " ".join(title.split()).partition(": ")
    return head if colon and head and " " not in head else None
